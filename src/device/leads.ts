/**
 * Lead naming and derivation. With I and II recorded, the other limb leads follow from
 * Einthoven's and Goldberger's relations: III = II - I, aVR = -(I + II)/2, aVL = I - II/2,
 * aVF = II - I/2.
 */
import type { SampleBlock } from './types.js';

export const DERIVED_LIMB_LEADS = ['III', 'aVR', 'aVL', 'aVF'] as const;

/** Parses `--leads` ("I,II,V1") into names; null or empty gives CH1..CHn. */
export function leadNames(spec: string | readonly string[] | null | undefined, channelCount: number): string[] {
  const given = typeof spec === 'string' ? spec.split(',') : spec ?? [];
  const names = given.map((name) => name.trim()).filter((name) => name !== '');
  const out: string[] = [];
  for (let i = 0; i < channelCount; i += 1) out.push(names[i] ?? `CH${i + 1}`);
  return out;
}

/** The lead list after derivation: the device's leads, then whichever derived limb leads are missing. */
export function expandedLeadNames(deviceLeads: readonly string[]): string[] {
  const lower = deviceLeads.map((name) => name.toLowerCase());
  if (!lower.includes('i') || !lower.includes('ii')) return [...deviceLeads];
  const extra = DERIVED_LIMB_LEADS.filter((name) => !lower.includes(name.toLowerCase()));
  return [...deviceLeads, ...extra];
}

/**
 * Adds the derived limb leads to a block (in `expandedLeadNames` order). Returns the block
 * unchanged when I or II is missing.
 */
export function deriveLeads(block: SampleBlock, deviceLeads: readonly string[]): SampleBlock {
  const names = expandedLeadNames(deviceLeads);
  if (names.length === deviceLeads.length) return block;
  const lower = deviceLeads.map((name) => name.toLowerCase());
  const iIndex = lower.indexOf('i');
  const iiIndex = lower.indexOf('ii');
  const leadI = block.channels[iIndex]!;
  const leadII = block.channels[iiIndex]!;
  const limbOff = block.leadOff[iIndex]! || block.leadOff[iiIndex]!;
  const channels = [...block.channels];
  const leadOff = [...block.leadOff];
  for (const name of names.slice(deviceLeads.length)) {
    const out = new Float32Array(block.sampleCount);
    for (let s = 0; s < block.sampleCount; s += 1) out[s] = limbLeadValue(name, leadI[s]!, leadII[s]!)!;
    channels.push(out);
    leadOff.push(limbOff);
  }
  return { ...block, channels, leadOff };
}

/** A limb lead (I, II, III, aVR, aVL or aVF) from leads I and II; null for any other name. */
export function limbLeadValue(name: string, leadI: number, leadII: number): number | null {
  switch (name) {
    case 'I':
      return leadI;
    case 'II':
      return leadII;
    case 'III':
      return leadII - leadI;
    case 'aVR':
      return -(leadI + leadII) / 2;
    case 'aVL':
      return leadI - leadII / 2;
    case 'aVF':
      return leadII - leadI / 2;
    default:
      return null;
  }
}
