// `npm run bench`: every benchmark in this directory (today: the re-stack one).
await import("./restack.ts");
