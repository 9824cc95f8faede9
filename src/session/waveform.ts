/**
 * Cuts the raw signal into waveform upload chunks (CONTRACTS section 3): one chunk per 10 s of
 * samples, all leads, integer µV. A gap in the stream closes the chunk early, so every chunk is
 * contiguous from its `start_sample`.
 */

export const WAVEFORM_CHUNK_S = 10;

export interface WaveformChunk {
  start_sample: number;
  started_at: string;
  sample_rate_hz: number;
  units: 'uV';
  leads: Record<string, number[]>;
}

/** µV as the integers the backend stores; non-finite values (no data) become 0. */
export function toIntegerMicrovolts(values: Float32Array | readonly number[]): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i]!;
    out[i] = Number.isFinite(v) ? Math.round(v) || 0 : 0;
  }
  return out;
}

export class WaveformChunker {
  private readonly chunkSamples: number;
  private buffers: Float32Array[];
  private filled = 0;
  private chunkStart: number | null = null;

  /**
   * @param startedAtMs wall-clock time of sample 0, so each chunk's `started_at` follows the stream.
   */
  constructor(
    private readonly leads: readonly string[],
    private readonly fsHz: number,
    private readonly startedAtMs: number,
    chunkS = WAVEFORM_CHUNK_S,
  ) {
    this.chunkSamples = Math.max(1, Math.round(chunkS * fsHz));
    this.buffers = leads.map(() => new Float32Array(this.chunkSamples));
  }

  /** Adds samples starting at stream sample `start`; returns the chunks completed by them. */
  push(start: number, channels: readonly Float32Array[], count: number): WaveformChunk[] {
    const done: WaveformChunk[] = [];
    if (this.chunkStart !== null && start !== this.chunkStart + this.filled) {
      const partial = this.flush();
      if (partial) done.push(partial);
    }
    let offset = 0;
    while (offset < count) {
      if (this.chunkStart === null) this.chunkStart = start + offset;
      const take = Math.min(count - offset, this.chunkSamples - this.filled);
      for (let l = 0; l < this.leads.length; l += 1) {
        this.buffers[l]!.set(channels[l]!.subarray(offset, offset + take), this.filled);
      }
      this.filled += take;
      offset += take;
      if (this.filled === this.chunkSamples) done.push(this.flush()!);
    }
    return done;
  }

  /** The chunk in progress, if it holds any samples (at the end of a session or at a gap). */
  flush(): WaveformChunk | null {
    if (this.chunkStart === null || this.filled === 0) {
      this.chunkStart = null;
      return null;
    }
    const leads: Record<string, number[]> = {};
    this.leads.forEach((name, l) => (leads[name] = toIntegerMicrovolts(this.buffers[l]!.subarray(0, this.filled))));
    const chunk: WaveformChunk = {
      start_sample: this.chunkStart,
      started_at: new Date(this.startedAtMs + (this.chunkStart / this.fsHz) * 1000).toISOString(),
      sample_rate_hz: this.fsHz,
      units: 'uV',
      leads,
    };
    this.chunkStart = null;
    this.filled = 0;
    return chunk;
  }
}
