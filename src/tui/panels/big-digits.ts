/** A 3 x 3 cell font of block elements for the heart rate, readable from across the room. */
const GLYPHS: Record<string, readonly [string, string, string]> = {
  '0': ['█▀█', '█ █', '█▄█'],
  '1': [' ▀█', '  █', '  █'],
  '2': ['▀▀█', '█▀▀', '█▄▄'],
  '3': ['▀▀█', ' ▀█', '▄▄█'],
  '4': ['█ █', '▀▀█', '  █'],
  '5': ['█▀▀', '▀▀█', '▄▄█'],
  '6': ['█▀▀', '█▀█', '█▄█'],
  '7': ['▀▀█', '  █', '  █'],
  '8': ['█▀█', '█▀█', '█▄█'],
  '9': ['█▀█', '▀▀█', '▄▄█'],
  '-': ['   ', '▀▀▀', '   '],
  ' ': ['   ', '   ', '   '],
};

/** Three lines drawing `text` (digits, '-' and spaces), one space between glyphs. */
export function bigText(text: string): [string, string, string] {
  const rows: [string[], string[], string[]] = [[], [], []];
  for (const char of text) {
    const glyph = GLYPHS[char] ?? GLYPHS[' ']!;
    for (let row = 0; row < 3; row++) rows[row]!.push(glyph[row]!);
  }
  return [rows[0].join(' '), rows[1].join(' '), rows[2].join(' ')];
}
