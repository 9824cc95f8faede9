/**
 * pdfmake 0.3 for Node, typed for what the report uses. It ships no types and is CommonJS, so it
 * is loaded with createRequire. Only the PDF standard fonts are used: nothing is embedded and
 * nothing is read from disk or the network.
 */
import { createRequire } from 'node:module';

export type Content = Record<string, unknown> | string | Content[];

export interface DocDefinition {
  pageSize: string;
  pageOrientation: 'landscape' | 'portrait';
  pageMargins: [number, number, number, number];
  content: Content[];
  footer?: (currentPage: number, pageCount: number) => Content;
  defaultStyle?: Record<string, unknown>;
  info?: Record<string, string>;
  compress?: boolean;
}

interface OutputDocument {
  getBuffer(): Promise<Buffer>;
}

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(callback: (url: string) => boolean): void;
  setLocalAccessPolicy(callback: (path: string) => boolean): void;
  createPdf(definition: DocDefinition): OutputDocument;
}

let instance: PdfMake | null = null;

export const REPORT_FONT = 'Helvetica';
const STANDARD_FACES = { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' };

function pdfMake(): PdfMake {
  if (instance) return instance;
  const loaded = createRequire(import.meta.url)('pdfmake') as PdfMake;
  loaded.setFonts({ [REPORT_FONT]: STANDARD_FACES });
  // Standard fonts are asked for by name through the file policy; no real file or URL is ever read.
  const standardNames = new Set(Object.values(STANDARD_FACES));
  loaded.setUrlAccessPolicy(() => false);
  loaded.setLocalAccessPolicy((path) => standardNames.has(path));
  instance = loaded;
  return loaded;
}

/** Loads pdfmake now (a few hundred ms), so the first report does not pay for it. */
export function preloadPdfMake(): void {
  pdfMake();
}

export async function renderPdf(definition: DocDefinition): Promise<Uint8Array> {
  const buffer = await pdfMake().createPdf(definition).getBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
