// A minimal terminal screen for tests of the live region: it understands
// exactly what src/cli/terminal.ts writes (text, \n, \r, ESC[nF cursor up to
// column 0, ESC[J erase to the end of the screen, ESC[2K erase the line) and
// ignores colour codes. lines() is what a user would see.
export class Screen {
  private rows: string[] = [""];
  private y = 0;

  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === "\x1b") {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape sequence starts with ESC
        const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(s.slice(i));
        if (!m) continue;
        i += m[0].length - 1;
        const n = Number(m[1] || 1);
        if (m[2] === "F") this.y = Math.max(0, this.y - n);
        if (m[2] === "F" || m[2] === "J" || m[2] === "K") {
          if (m[2] === "J") this.rows = this.rows.slice(0, this.y).concat([""]);
          else if (m[2] === "K") this.rows[this.y] = "";
          else this.rows[this.y] = this.rows[this.y] ?? "";
        }
        continue;
      }
      if (c === "\n") {
        this.y++;
        if (this.rows.length <= this.y) this.rows.push("");
      } else if (c === "\r") continue;
      else this.rows[this.y] = (this.rows[this.y] ?? "") + c;
    }
  }

  lines(): string[] {
    const out = [...this.rows];
    while (out.length && out.at(-1) === "") out.pop();
    return out;
  }
}
