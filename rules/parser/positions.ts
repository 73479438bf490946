// Offsets: libpg-query reports UTF-8 byte offsets into the text it parsed; everything else in the core speaks
// UTF-16 offsets into the file (what JavaScript strings and LSP use). The conversion happens here, once.

/** Maps byte offsets of one parsed text to UTF-16 offsets of the file, `base` being where the text starts. */
export function byteMapper(text: string, base: number): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(text)) return (b) => base + b;
  const bytes: number[] = [];
  const deltas: number[] = [];
  let b = 0;
  for (let u = 0; u < text.length; u++) {
    const c = text.charCodeAt(u);
    if (c < 0x80) { b += 1; continue; }
    if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) { b += 4; u++; }
    else b += 3;
    bytes.push(b);
    deltas.push(b - (u + 1));
  }
  return (byte) => {
    let lo = 0;
    let hi = bytes.length - 1;
    let d = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bytes[mid] <= byte) { d = deltas[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return base + byte - d;
  };
}

/** Line starts of a text, for offset → line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 0-based line and UTF-16 column. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo] };
  }
  offset(line: number, column: number): number {
    const start = this.starts[Math.min(line, this.starts.length - 1)] ?? 0;
    return Math.min(start + column, this.text.length);
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
