/**
 * JPEG 4:2:0 encode + decode of RGB images, computed here, byte for byte what sharp (libvips over libjpeg-turbo /
 * mozjpeg without its extensions) gives for each image encoded and decoded on its own: the compression study's
 * 4:2:0 copies must be what a user's JPEG files would be ([Poyser-thesis] Chapter 3 compares 4:2:0 with 4:4:4 per
 * image; keys: docs/REFERENCES.md).
 *
 * WHY NOT A MOSAIC. sharp costs far more per call than the codec's work on a small image, so 4:4:4 and grey go
 * through mosaics (codec.ts), where JPEG's independent 8x8 blocks make every tile exact. 4:2:0 cannot: the decoder's
 * "fancy" upsampling interpolates each pixel's chroma from the nearest chroma samples, and at an image's edge an
 * image on its own repeats its edge sample where a mosaic tile reads its neighbour's (or a gutter's) decoded sample.
 * Those agree only if the neighbour's sample decodes to exactly the edge sample, which quantisation does not allow;
 * and for an even height that is not a multiple of 16 the encoder pads the subsampled chroma, not the pixels. A
 * gutter of edge-replicated pixels cut the difference but never to zero. So the pixels that JPEG keeps are
 * computed here, with libjpeg's integer arithmetic, from each image alone; sharp still supplies the quantisation
 * tables (read from a file it encodes), so quality scaling stays libjpeg's own.
 *
 * THE PIPELINE ([libjpeg]; all integer, as libjpeg-turbo's C and SIMD paths, which agree bit for bit):
 * - jccolor.c: RGB → YCbCr, 16-bit fixed point, Cb/Cr rounded with 0.5 − ε.
 * - jcsample.c / jcprepct.c: pixels padded right to whole chroma blocks and down to an even row count by repeating
 *   the last column / row; chroma = the 2x2 sum plus a bias alternating 1, 2 along the row, >> 2; then each plane
 *   padded down to whole blocks by repeating its last row (for chroma: its last CHROMA row).
 * - jfdctint.c (islow) on samples − 128; jcdctmgr.c's quantisation by reciprocal multiplication of q·8.
 * - jidctint.c (islow) on coefficient · q, with its range limit.
 * - jdsample.c h2v2 fancy upsampling (triangle filter, 3/4 nearer + 1/4 further per axis; the rows above the first
 *   and below the last are copies of them, the first and last columns their own); with 2 samples a row or fewer,
 *   plain repetition.
 * - jdcolor.c: YCbCr → RGB with its fixed-point tables.
 * Only blocks and samples inside the image (and its padding) are used, so each image is independent of any other.
 */

const FIX = (x: number): number => Math.round(x * 65536) | 0; // (INT32)((x) * (1L << 16) + 0.5) for positive x
const ONE_HALF = 1 << 15;
const CBCR_OFFSET = 128 << 16;

/** A 256-entry table of libjpeg's: entry i = f(i) (kept as INT32, as libjpeg's tables are). */
const table256 = (f: (i: number) => number): Int32Array => Int32Array.from({ length: 256 }, (_, i) => f(i));

// jccolor.c rgb_ycc_start
const R_Y = table256((i) => FIX(0.299) * i);
const G_Y = table256((i) => FIX(0.587) * i);
const B_Y = table256((i) => FIX(0.114) * i + ONE_HALF);
const R_CB = table256((i) => -FIX(0.16874) * i);
const G_CB = table256((i) => -FIX(0.33126) * i);
// B_CB = R_CR: 0.5 · i + the offset, rounded with 0.5 − ε so that the maximum stays 255
const B_CB = table256((i) => FIX(0.5) * i + CBCR_OFFSET + ONE_HALF - 1);
const G_CR = table256((i) => -FIX(0.41869) * i);
const B_CR = table256((i) => -FIX(0.08131) * i);
// jdcolor.c build_ycc_rgb_table, over x = i − 128
const CR_R = table256((i) => (FIX(1.402) * (i - 128) + ONE_HALF) >> 16);
const CB_B = table256((i) => (FIX(1.772) * (i - 128) + ONE_HALF) >> 16);
const CR_G = table256((i) => -FIX(0.71414) * (i - 128));
const CB_G = table256((i) => -FIX(0.34414) * (i - 128) + ONE_HALF);

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** jidctint.c's output range limit: x & 1023 indexes a table that clamps x + 128 for x in [−384, 639] and wraps beyond. */
const IDCT_LIMIT = new Uint8Array(1024);
for (let i = 0; i < 1024; i++) IDCT_LIMIT[i] = i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 1024 + 128;

// jfdctint.c / jidctint.c constants (CONST_BITS 13)
const F0_298 = 2446;
const F0_390 = 3196;
const F0_541 = 4433;
const F0_765 = 6270;
const F0_899 = 7373;
const F1_175 = 9633;
const F1_501 = 12299;
const F1_847 = 15137;
const F1_961 = 16069;
const F2_053 = 16819;
const F2_562 = 20995;
const F3_072 = 25172;

/** The 8 outputs of one 1-D transform before descaling (exact integers; a pass may exceed 32 bits before it). */
const raw = new Float64Array(8);

/**
 * jfdctint.c's 1-D forward butterfly over d[o], d[o + s], …, d[o + 7s] into `raw`: outputs 0 and 4 are the
 * unscaled sums, the others carry the CONST_BITS products.
 */
function fdct1d(d: Int32Array, o: number, s: number): void {
  const t0 = d[o]! + d[o + 7 * s]!;
  const t7 = d[o]! - d[o + 7 * s]!;
  const t1 = d[o + s]! + d[o + 6 * s]!;
  const t6 = d[o + s]! - d[o + 6 * s]!;
  const t2 = d[o + 2 * s]! + d[o + 5 * s]!;
  const t5 = d[o + 2 * s]! - d[o + 5 * s]!;
  const t3 = d[o + 3 * s]! + d[o + 4 * s]!;
  const t4 = d[o + 3 * s]! - d[o + 4 * s]!;
  const t10 = t0 + t3;
  const t13 = t0 - t3;
  const t11 = t1 + t2;
  const t12 = t1 - t2;
  raw[0] = t10 + t11;
  raw[4] = t10 - t11;
  const z1 = (t12 + t13) * F0_541;
  raw[2] = z1 + t13 * F0_765;
  raw[6] = z1 - t12 * F1_847;
  const z5 = (t4 + t6 + t5 + t7) * F1_175;
  const y1 = (t4 + t7) * -F0_899;
  const y2 = (t5 + t6) * -F2_562;
  const y3 = (t4 + t6) * -F1_961 + z5;
  const y4 = (t5 + t7) * -F0_390 + z5;
  raw[7] = t4 * F0_298 + y1 + y3;
  raw[5] = t5 * F2_053 + y2 + y4;
  raw[3] = t6 * F3_072 + y2 + y3;
  raw[1] = t7 * F1_501 + y1 + y4;
}

/** jfdctint.c jpeg_fdct_islow, in place on 64 samples − 128 (outputs scaled by 8). */
function fdctIslow(d: Int32Array): void {
  // pass 1, rows: DC terms scaled up by PASS1_BITS, the others descaled by CONST_BITS − PASS1_BITS
  for (let r = 0; r < 64; r += 8) {
    fdct1d(d, r, 1);
    for (let k = 0; k < 8; k++) d[r + k] = k === 0 || k === 4 ? raw[k]! * 4 : (raw[k]! + 1024) >> 11;
  }
  // pass 2, columns: descaled by PASS1_BITS and CONST_BITS + PASS1_BITS
  for (let c = 0; c < 8; c++) {
    fdct1d(d, c, 8);
    for (let k = 0; k < 8; k++) d[c + 8 * k] = k === 0 || k === 4 ? (raw[k]! + 2) >> 2 : (raw[k]! + 16384) >> 15;
  }
}

/** jidctint.c's 1-D inverse butterfly over d[o], d[o + s], …, d[o + 7s] into `raw` (before descaling). */
function idct1d(d: Int32Array, o: number, s: number): void {
  const in2 = d[o + 2 * s]!;
  const in6 = d[o + 6 * s]!;
  const z1 = (in2 + in6) * F0_541;
  const e2 = z1 - in6 * F1_847;
  const e3 = z1 + in2 * F0_765;
  const e0 = (d[o]! + d[o + 4 * s]!) * 8192;
  const e1 = (d[o]! - d[o + 4 * s]!) * 8192;
  const t10 = e0 + e3;
  const t13 = e0 - e3;
  const t11 = e1 + e2;
  const t12 = e1 - e2;
  const i7 = d[o + 7 * s]!;
  const i5 = d[o + 5 * s]!;
  const i3 = d[o + 3 * s]!;
  const i1 = d[o + s]!;
  const z5 = (i7 + i3 + i5 + i1) * F1_175;
  const y1 = (i7 + i1) * -F0_899;
  const y2 = (i5 + i3) * -F2_562;
  const y3 = (i7 + i3) * -F1_961 + z5;
  const y4 = (i5 + i1) * -F0_390 + z5;
  const o0 = i7 * F0_298 + y1 + y3;
  const o1 = i5 * F2_053 + y2 + y4;
  const o2 = i3 * F3_072 + y2 + y3;
  const o3 = i1 * F1_501 + y1 + y4;
  raw[0] = t10 + o3;
  raw[7] = t10 - o3;
  raw[1] = t11 + o2;
  raw[6] = t11 - o2;
  raw[2] = t12 + o1;
  raw[5] = t12 - o1;
  raw[3] = t13 + o0;
  raw[4] = t13 - o0;
}

/** True when d[o + s], …, d[o + 7s] (the AC terms of a column or row) are all 0. */
function acZero(d: Int32Array, o: number, s: number): boolean {
  return (
    (d[o + s]! | d[o + 2 * s]! | d[o + 3 * s]! | d[o + 4 * s]! | d[o + 5 * s]! | d[o + 6 * s]! | d[o + 7 * s]!) === 0
  );
}

/**
 * jidctint.c jpeg_idct_islow on 64 dequantised coefficients in `d`; writes 8x8 samples into `out` at `at` with row
 * stride `stride` (`ws`: the work array). The shortcuts for all-zero AC terms give the same values as the full sums.
 */
function idctIslow(d: Int32Array, ws: Int32Array, out: Uint8Array, at: number, stride: number): void {
  // pass 1, columns: descaled by CONST_BITS − PASS1_BITS
  for (let c = 0; c < 8; c++) {
    if (acZero(d, c, 8)) {
      const dc = d[c]! * 4;
      for (let k = 0; k < 64; k += 8) ws[c + k] = dc;
      continue;
    }
    idct1d(d, c, 8);
    for (let k = 0; k < 8; k++) ws[c + 8 * k] = (raw[k]! + 1024) >> 11;
  }
  // pass 2, rows: descaled by CONST_BITS + PASS1_BITS + 3, then the range limit
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = at + r * stride;
    if (acZero(ws, w, 1)) {
      out.fill(IDCT_LIMIT[((ws[w]! + 16) >> 5) & 1023]!, o, o + 8);
      continue;
    }
    idct1d(ws, w, 1);
    for (let k = 0; k < 8; k++) out[o + k] = IDCT_LIMIT[Math.floor((raw[k]! + 131072) / 262144) & 1023]!;
  }
}

/** One quantisation table prepared for jcdctmgr.c's reciprocal quantisation and the decoder's dequantisation. */
interface Quantiser {
  /** Natural (row-major) order. */
  q: Int32Array;
  recip: Float64Array;
  corr: Int32Array;
  /** 2^−r: the reciprocal's scale (a power of two, so the product stays exact). */
  scale: Float64Array;
}

/** jcdctmgr.c compute_reciprocal for each divisor q·8 (islow), DCTELEM of 16 bits as in the SIMD build. */
function quantiser(q: Int32Array): Quantiser {
  const recip = new Float64Array(64);
  const corr = new Int32Array(64);
  const scale = new Float64Array(64);
  for (let i = 0; i < 64; i++) {
    const divisor = q[i]! << 3;
    const b = 31 - Math.clz32(divisor);
    let r = 16 + b;
    let fq = Math.floor(2 ** r / divisor);
    const fr = 2 ** r % divisor;
    let c = divisor >> 1;
    if (fr === 0) {
      fq = Math.floor(fq / 2);
      r--;
    } else if (fr <= divisor >> 1) c++;
    else fq++;
    recip[i] = fq;
    corr[i] = c;
    scale[i] = 2 ** -r;
  }
  return { q: Int32Array.from(q), recip, corr, scale };
}

/** Quantises the 64 FDCT outputs in `d` and writes them back dequantised (coefficient · q), ready for the IDCT. */
function quantiseDequantise(d: Int32Array, t: Quantiser): void {
  for (let i = 0; i < 64; i++) {
    const v = d[i]!;
    const a = v < 0 ? -v : v;
    const k = Math.floor((a + t.corr[i]!) * t.recip[i]! * t.scale[i]!);
    d[i] = (v < 0 ? -k : k) * t.q[i]!;
  }
}

/** The zigzag order of DQT tables: ZIGZAG[k] = natural index of the k-th value. */
const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/** The luma and chroma tables of a baseline 4:2:0 JPEG (Y 2x2, Cb and Cr 1x1), in natural order; throws otherwise. */
export function quantTablesOf(jpeg: Uint8Array): { luma: Int32Array; chroma: Int32Array } {
  const tables = new Map<number, Int32Array>();
  let components: Array<{ h: number; v: number; tq: number }> = [];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    const body = i + 4;
    if (marker === 0xdb) {
      for (let p = body; p < i + 2 + length;) {
        const precision = jpeg[p]! >> 4;
        const id = jpeg[p]! & 15;
        const t = new Int32Array(64);
        for (let k = 0; k < 64; k++)
          t[ZIGZAG[k]!] = precision ? (jpeg[p + 1 + 2 * k]! << 8) | jpeg[p + 2 + 2 * k]! : jpeg[p + 1 + k]!;
        tables.set(id, t);
        p += 1 + 64 * (precision ? 2 : 1);
      }
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (marker !== 0xc0 && marker !== 0xc1)
        throw new Error(`jpeg-exact: a baseline JPEG was expected, got SOF marker 0x${marker.toString(16)}.`);
      const n = jpeg[body + 5]!;
      components = Array.from({ length: n }, (_, c) => ({
        h: jpeg[body + 7 + 3 * c]! >> 4,
        v: jpeg[body + 7 + 3 * c]! & 15,
        tq: jpeg[body + 8 + 3 * c]!,
      }));
    } else if (marker === 0xda) break;
    i += 2 + length;
  }
  const [y, cb, cr] = components;
  if (
    components.length !== 3 ||
    y!.h !== 2 ||
    y!.v !== 2 ||
    cb!.h !== 1 ||
    cb!.v !== 1 ||
    cr!.h !== 1 ||
    cr!.v !== 1 ||
    cb!.tq !== cr!.tq
  ) {
    throw new Error('jpeg-exact: a 3-component 4:2:0 JPEG (Y 2x2, Cb and Cr 1x1 sharing a table) was expected.');
  }
  const luma = tables.get(y!.tq);
  const chroma = tables.get(cb!.tq);
  if (!luma || !chroma) throw new Error('jpeg-exact: the JPEG lacks a quantisation table its components use.');
  return { luma, chroma };
}

/**
 * Encodes and decodes RGB images (packed NHWC, `count` of width x height) at 4:2:0 with the given quantisation
 * tables (natural order), as libjpeg does each image on its own (see the file comment); returns the decoded pixels.
 * `onProgress` gets the images done every 256 and at the end.
 */
export function jpeg420RoundTrip(
  images: Uint8Array,
  width: number,
  height: number,
  count: number,
  tables: { luma: Int32Array; chroma: Int32Array },
  onProgress?: (done: number) => void,
): Uint8Array {
  const lq = quantiser(tables.luma);
  const cq = quantiser(tables.chroma);
  const w = width;
  const h = height;
  // luma plane padded to whole blocks; chroma planes padded to whole blocks of the subsampled size
  const lw = Math.ceil(w / 8) * 8;
  const lh = Math.ceil(h / 8) * 8;
  const cw = Math.ceil(w / 16) * 8;
  const chh = Math.ceil(h / 16) * 8;
  // the real chroma samples (what the decoder upsamples)
  const crw = Math.ceil(w / 2);
  const crh = Math.ceil(h / 2);
  const Y = new Uint8Array(lw * lh);
  const Cb = new Uint8Array(cw * chh);
  const Cr = new Uint8Array(cw * chh);
  // full-resolution Cb / Cr of the image padded right to 2·cw columns and down to 2·crh rows
  const fw = 2 * cw;
  const fh = 2 * crh;
  const fullCb = new Int32Array(fw * fh);
  const fullCr = new Int32Array(fw * fh);
  const block = new Int32Array(64);
  const ws = new Int32Array(64);
  // decoded planes
  const dY = new Uint8Array(lw * lh);
  const dCb = new Uint8Array(cw * chh);
  const dCr = new Uint8Array(cw * chh);
  // fancy-upsampled chroma, 2·crw x 2·crh
  const uw = 2 * crw;
  const upCb = new Uint8Array(uw * 2 * crh);
  const upCr = new Uint8Array(uw * 2 * crh);
  const per = w * h * 3;
  const out = new Uint8Array(count * per);

  const codePlane = (src: Uint8Array, dst: Uint8Array, pw: number, ph: number, t: Quantiser) => {
    for (let by = 0; by < ph; by += 8) {
      for (let bx = 0; bx < pw; bx += 8) {
        for (let y = 0; y < 8; y++) {
          const row = (by + y) * pw + bx;
          for (let x = 0; x < 8; x++) block[y * 8 + x] = src[row + x]! - 128;
        }
        fdctIslow(block);
        quantiseDequantise(block, t);
        idctIslow(block, ws, dst, by * pw + bx, pw);
      }
    }
  };

  const upsample = (src: Uint8Array, dst: Uint8Array) => {
    for (let r = 0; r < crh; r++) {
      const near = r * cw;
      for (let v = 0; v < 2; v++) {
        // v = 0: the output row above the sample's centre, whose further neighbour is the row above
        const fr = v === 0 ? (r > 0 ? r - 1 : 0) : r + 1 < crh ? r + 1 : r;
        const far = fr * cw;
        const o = (2 * r + v) * uw;
        if (crw <= 2) {
          // jdsample.c uses the triangle filter only for more than 2 samples a row; else each sample is repeated
          for (let c = 0; c < crw; c++) dst[o + 2 * c] = dst[o + 2 * c + 1] = src[near + c]!;
          continue;
        }
        let last = src[near]! * 3 + src[far]!;
        let cur = last;
        let next = src[near + 1]! * 3 + src[far + 1]!;
        dst[o] = (cur * 4 + 8) >> 4;
        dst[o + 1] = (cur * 3 + next + 7) >> 4;
        for (let c = 1; c < crw - 1; c++) {
          last = cur;
          cur = next;
          next = src[near + c + 1]! * 3 + src[far + c + 1]!;
          dst[o + 2 * c] = (cur * 3 + last + 8) >> 4;
          dst[o + 2 * c + 1] = (cur * 3 + next + 7) >> 4;
        }
        last = cur;
        cur = next;
        dst[o + 2 * crw - 2] = (cur * 3 + last + 8) >> 4;
        dst[o + 2 * crw - 1] = (cur * 4 + 7) >> 4;
      }
    }
  };

  for (let n = 0; n < count; n++) {
    const base = n * per;
    // colour conversion; pixels beyond the right edge repeat the last column, rows beyond the bottom the last row
    for (let y = 0; y < fh; y++) {
      const sy = y < h ? y : h - 1;
      for (let x = 0; x < fw; x++) {
        const sx = x < w ? x : w - 1;
        const p = base + (sy * w + sx) * 3;
        const r = images[p]!;
        const g = images[p + 1]!;
        const b = images[p + 2]!;
        if (y < lh && x < lw) Y[y * lw + x] = (R_Y[r]! + G_Y[g]! + B_Y[b]!) >> 16;
        fullCb[y * fw + x] = (R_CB[r]! + G_CB[g]! + B_CB[b]!) >> 16;
        fullCr[y * fw + x] = (B_CB[r]! + G_CR[g]! + B_CR[b]!) >> 16;
      }
      // luma rows between fh and lh (a block below the last row pair) repeat the last row, as jcprepct.c does
    }
    for (let y = fh; y < lh; y++) Y.copyWithin(y * lw, (fh - 1) * lw, fh * lw);
    // 2x2 downsampling with the alternating bias, then the chroma rows below the real ones repeat the last one
    for (let r = 0; r < crh; r++) {
      const i0 = 2 * r * fw;
      const i1 = i0 + fw;
      for (let c = 0; c < cw; c++) {
        const bias = (c & 1) === 0 ? 1 : 2;
        Cb[r * cw + c] =
          (fullCb[i0 + 2 * c]! + fullCb[i0 + 2 * c + 1]! + fullCb[i1 + 2 * c]! + fullCb[i1 + 2 * c + 1]! + bias) >> 2;
        Cr[r * cw + c] =
          (fullCr[i0 + 2 * c]! + fullCr[i0 + 2 * c + 1]! + fullCr[i1 + 2 * c]! + fullCr[i1 + 2 * c + 1]! + bias) >> 2;
      }
    }
    for (let r = crh; r < chh; r++) {
      Cb.copyWithin(r * cw, (crh - 1) * cw, crh * cw);
      Cr.copyWithin(r * cw, (crh - 1) * cw, crh * cw);
    }
    codePlane(Y, dY, lw, lh, lq);
    codePlane(Cb, dCb, cw, chh, cq);
    codePlane(Cr, dCr, cw, chh, cq);
    upsample(dCb, upCb);
    upsample(dCr, upCr);
    let o = base;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const yy = dY[y * lw + x]!;
        const cb = upCb[y * uw + x]!;
        const cr = upCr[y * uw + x]!;
        out[o++] = clamp255(yy + CR_R[cr]!);
        out[o++] = clamp255(yy + ((CB_G[cb]! + CR_G[cr]!) >> 16));
        out[o++] = clamp255(yy + CB_B[cb]!);
      }
    }
    if ((n + 1) % 256 === 0 || n + 1 === count) onProgress?.(n + 1);
  }
  return out;
}
