/** A one-line progress bar on a TTY; plain lines, at most one every few seconds, elsewhere. */
export class ProgressBar {
  #lastPlain = 0;
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(done: number, total: number, label: string): void {
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`);
    } else if (Date.now() - this.#lastPlain > 2000 || done >= total) {
      this.#lastPlain = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
