/**
 * Group commit: values added while a commit is running are committed together by the next one,
 * so N concurrent settles cost about one durable write instead of N queued ones. The first value
 * after an idle spell is committed at once (no waiting for company), and a value waits at most
 * for the write in progress plus its own group's write.
 */
export class GroupCommit<T> {
  private waiting: { value: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly commit: (values: T[]) => Promise<void>,
    private readonly maxGroup = 512,
  ) {}

  /** Resolves once `value` is committed; rejects with the commit's error (the whole group's). */
  add(value: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ value, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        try {
          await this.commit(group.map((entry) => entry.value));
          for (const entry of group) entry.resolve();
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
