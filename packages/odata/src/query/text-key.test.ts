// The text key (query-compare.ts) against the evaluator's comparison: wherever a key exists, the
// keys order exactly as `compareNormalized` orders the texts, and key prefixes are folded prefixes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareNormalized, fold, textKey, textKeyHead } from "./query-compare.ts";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const codeOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Characters a name may hold, the awkward ones included. */
const POOL = [
  ..." !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~0123456789",
  ..."abcxyzABCXYZ",
  ..."áÁàâäÄåÅãçÇéÉèêëíîïñÑóôöÖõúùûüÜýÿ",
  "a\u0301", // a + combining acute
  "\u0301",
  ..."ßæÆøØœđłıİ",
  "ﬁ", // ligature
  "\u00ad", // soft hyphen (ignorable)
  "\u200b",
  "\t",
  "\u00a0",
  ..."αβΓδΩжЖёЁ",
  ..."中文日本",
  "क",
  "\u093e", // Devanagari vowel sign aa (a mark with a primary weight)
  "😀",
  "²",
  "Ａ", // fullwidth A
  "‐", // hyphen U+2010
  "–",
  "’",
];
const textArb = fc.array(fc.constantFrom(...POOL), { maxLength: 6 }).map((a) => a.join(""));

describe("textKey", () => {
  it("orders keyed texts exactly as the evaluator and keeps folded prefixes", () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const ka = textKey(a);
        const kb = textKey(b);
        if (ka === undefined || kb === undefined) return;
        expect(sign(codeOrder(ka, kb)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
          sign(compareNormalized("string", a, b)),
        );
        expect(ka.startsWith(kb)).toBe(fold(a).startsWith(fold(b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("files text without a key within its head's prefix range", () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const ka = textKey(a);
        if (ka === undefined || textKey(b) !== undefined) return;
        const head = textKeyHead(b);
        // b sorts at or after its head's text and before the next key range: a keyed text
        // outside [head, head's prefix end) is ordered against b by the keys alone.
        const c = sign(compareNormalized("string", a, b));
        if (ka < head) expect(c, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(-1);
        else if (!ka.startsWith(head)) expect(c, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(1);
        // A text starting with a prefix starts with the prefix's head, or its head is a prefix of it.
        const fa = fold(a);
        const fb = fold(b);
        if (fb.startsWith(fa)) expect(head.startsWith(ka) || ka.startsWith(head)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it("keys every BMP character the collator reads as its folded form, and only those", () => {
    const keyed: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      if (textKey(ch) === undefined) continue;
      keyed.push(ch);
      // Equal at the collator's strength to what the key stands for, next to any letter.
      expect(compareNormalized("string", `${ch}b`, `${fold(ch)}b`), `U+${c.toString(16)}`).toBe(0);
    }
    // ASCII printable, Latin letters with accents; no ß, æ, ø, other scripts or symbols.
    expect(keyed.length).toBeGreaterThan(95 + 100);
    for (const ch of ["ß", "æ", "ø", "ı", "ж", "中", "ﬁ", "\u00ad", "\t", "²", "Ａ", "–"])
      expect(textKey(ch), ch).toBeUndefined();
    expect(textKey("Café-Bar 10")).toBe(textKey("cafe-bar 10"));
  });

  it("orders the alphabet as the collator does, punctuation before digits before letters", () => {
    const chars = [..." _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz"];
    const keys = chars.map((c) => textKey(c)!);
    expect([...keys].sort(codeOrder)).toEqual(keys);
    expect(new Set(keys).size).toBe(chars.length);
  });
});
