/**
 * The session's WFDB recording (CONTRACTS section 5): `<id>.hea`, `<id>.dat` (format 16, 200 adu
 * per mV) and `<id>.atr`, through the formats layer's streaming writer (appended as samples and
 * beats arrive, so a killed process leaves a readable record). What this adds for a live
 * session: outages written as "no data" so the record keeps real time, and notes held back
 * until the (slightly late) beats before them are written, keeping the annotations in order.
 */
import { ANN } from '../formats/annotations.js';
import { WfdbStreamWriter } from '../formats/wfdb-writer.js';

export interface RecordingOptions {
  dir: string;
  recordName: string;
  fsHz: number;
  leads: readonly string[];
  startedAt: Date;
}

export class WfdbRecording {
  private readonly writer: WfdbStreamWriter;
  private readonly leadCount: number;
  private readonly pendingNotes: { sample: number; text: string }[] = [];
  private lastAnnotationSample = 0;
  private closed = false;

  constructor(options: RecordingOptions) {
    this.leadCount = options.leads.length;
    this.writer = WfdbStreamWriter.create(options.dir, options.recordName, {
      fsHz: options.fsHz,
      signals: options.leads.map((name) => ({ name })),
      startedAt: options.startedAt,
      comments: [`ecg-monitor session started ${options.startedAt.toISOString()} (UTC)`],
    });
  }

  get headerPath(): string {
    return this.writer.headerPath;
  }

  /** Samples written so far (per lead). */
  get sampleCount(): number {
    return this.writer.sampleCount;
  }

  /** Appends `count` frames of µV, one array per lead; NaN is stored as "no data". */
  appendSamples(channels: readonly Float32Array[], count: number): void {
    if (!this.closed && count > 0) this.writer.appendSamples(channels, count);
  }

  /** Appends `count` frames of "no data" (the device was gone), keeping the record in real time. */
  appendGap(count: number): void {
    const chunk = Math.min(count, 4096);
    if (chunk <= 0) return;
    const empty = Array.from({ length: this.leadCount }, () => new Float32Array(chunk).fill(Number.NaN));
    for (let done = 0; done < count; done += chunk) this.appendSamples(empty, Math.min(chunk, count - done));
  }

  /** A beat at the R peak (`sample` counts from the record's first sample). */
  appendBeat(sample: number, code: number = ANN.NORMAL): void {
    this.writeNotesUpTo(sample);
    this.append(sample, code, null);
  }

  /** A note such as "device disconnected"; written once a later beat (or close) comes. */
  appendNote(sample: number, text: string): void {
    this.pendingNotes.push({ sample, text });
  }

  /** Forces what was written to disk (a killed process loses nothing anyway; this covers power loss). */
  flush(): void {
    if (!this.closed) this.writer.flush();
  }

  /** Ends the annotation file and rewrites the header with the sample count and checksums. */
  close(): void {
    if (this.closed) return;
    this.writeNotesUpTo(Number.POSITIVE_INFINITY);
    this.closed = true;
    this.writer.close();
  }

  private writeNotesUpTo(sample: number): void {
    while (this.pendingNotes.length > 0 && this.pendingNotes[0]!.sample <= sample) {
      const note = this.pendingNotes.shift()!;
      this.append(note.sample, ANN.NOTE, note.text);
    }
  }

  private append(sample: number, code: number, aux: string | null): void {
    if (this.closed) return;
    // The file must stay in time order: a late annotation goes at the latest time written.
    const at = Math.max(sample, this.lastAnnotationSample);
    this.writer.appendAnnotation({ sample: at, code, aux });
    this.lastAnnotationSample = at;
  }
}
