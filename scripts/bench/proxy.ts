// A throttling TCP proxy on 127.0.0.1 for the fetch benchmark: it stands for
// a remote git server far away. Each connection gets, in each direction, a
// one-way latency and a bandwidth of its own (a link shared by nothing else):
// a chunk leaves when the link has sent the chunks before it (bytes / rate)
// and arrives one latency later. Opening a connection costs one round trip
// (the TCP handshake) before the server sees it. No kernel help (netem) is
// needed, only node:net; it counts the connections it accepted.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface ThrottleOptions {
  /** where the real server listens (127.0.0.1) */
  targetPort: number;
  /** one-way latency, ms */
  latencyMs: number;
  /** bandwidth per connection and direction, bits per second */
  bitsPerSecond: number;
}

export interface ThrottlingProxy {
  port: number;
  /** connections accepted since start (or the last reset) */
  connections(): number;
  resetCount(): void;
  stop(): Promise<void>;
}

/**
 * One direction of one connection: a chunk leaves when the link has sent the
 * chunks before it (bytes / rate) and arrives one latency later. One queue and
 * one timer per direction, so chunks arrive in order whatever timers do.
 */
function link(from: Socket, to: Socket, o: ThrottleOptions): void {
  const bytesPerMs = o.bitsPerSecond / 8 / 1000;
  const queue: { at: number; chunk: Buffer | null }[] = []; // null: the sender's end
  let free = 0; // when the link has sent everything queued so far (performance.now() clock)
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pump = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0]!.at <= now + 0.5) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) continue;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length) timer = setTimeout(pump, Math.max(1, queue[0]!.at - now));
  };
  const push = (at: number, chunk: Buffer | null) => {
    queue.push({ at, chunk });
    if (!timer) timer = setTimeout(pump, Math.max(0, queue[0]!.at - performance.now()));
  };
  from.on("data", (chunk: Buffer) => {
    free = Math.max(performance.now(), free) + chunk.length / bytesPerMs;
    push(free + o.latencyMs, chunk);
  });
  from.on("end", () => push(Math.max(performance.now(), free) + o.latencyMs, null));
}

export async function startThrottlingProxy(o: ThrottleOptions): Promise<ThrottlingProxy> {
  let count = 0;
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    count++;
    open.add(client);
    // SYN, SYN-ACK: the server is reached one round trip after the client dials
    setTimeout(() => {
      const upstream = connect({ host: "127.0.0.1", port: o.targetPort, allowHalfOpen: true });
      open.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on("error", close).on("close", () => open.delete(client));
      upstream.on("error", close).on("close", () => open.delete(upstream));
      upstream.on("connect", () => {
        link(client, upstream, o);
        link(upstream, client, o);
        client.resume();
      });
    }, 2 * o.latencyMs);
  });
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, "127.0.0.1", () => ok()));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("throttling proxy: no port");
  return {
    port: address.port,
    connections: () => count,
    resetCount: () => {
      count = 0;
    },
    stop: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
}
