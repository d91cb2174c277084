/** A named, capped exponential backoff for one loop (STYLE: only the loop that owns an operation retries it). */
export class Backoff {
  #attempt = 0;

  constructor(
    readonly name: string,
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {}

  /** The delay before the next try; grows ×2 per failure up to the cap. */
  next(): number {
    const delay = Math.min(this.capMs, this.baseMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return delay;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
