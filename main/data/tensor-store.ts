/**
 * The tensor store: a dataset's images as one packed uint8 NHWC file (no header; the shape lives in the
 * database). Written once at import, read whole into memory for training (70,000 28×28 images are 55 MB),
 * so a batch is a gather of contiguous rows, never a per-pixel loop.
 */
import fs from 'node:fs';

export interface ImageShape {
  width: number;
  height: number;
  channels: 1 | 3;
}

export const imageBytes = (s: ImageShape): number => s.width * s.height * s.channels;

/** Appends fixed-size images to a file through a write buffer. */
export class PackedImageWriter {
  private readonly fd: number;
  private readonly buffer: Buffer;
  private used = 0;
  private written = 0;
  readonly bytesPerImage: number;

  constructor(
    readonly file: string,
    readonly shape: ImageShape,
    bufferBytes = 4 << 20,
  ) {
    this.bytesPerImage = imageBytes(shape);
    this.fd = fs.openSync(file, 'w');
    this.buffer = Buffer.allocUnsafe(Math.max(bufferBytes, this.bytesPerImage));
  }

  get count(): number {
    return this.written;
  }

  append(pixels: Uint8Array): void {
    if (pixels.length !== this.bytesPerImage) {
      throw new Error(
        `Image has ${pixels.length} bytes, expected ${this.bytesPerImage} (${this.shape.width}×${this.shape.height}×${this.shape.channels}).`,
      );
    }
    if (this.used + pixels.length > this.buffer.length) this.flush();
    this.buffer.set(pixels, this.used);
    this.used += pixels.length;
    this.written++;
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }

  /** Flushes and closes; the file is closed even when the flush fails (a full disk gets its space back on rm). */
  close(): void {
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      this.used = 0;
      fs.closeSync(this.fd);
    }
  }
}

/** A dataset's packed images, held in memory. */
export class PackedImages {
  readonly bytesPerImage: number;
  readonly count: number;

  private constructor(
    readonly data: Buffer,
    readonly shape: ImageShape,
  ) {
    this.bytesPerImage = imageBytes(shape);
    if (data.length % this.bytesPerImage !== 0) {
      throw new Error(
        `The packed images file has ${data.length} bytes, not a multiple of ${this.bytesPerImage}: it is damaged. Import the dataset again.`,
      );
    }
    this.count = data.length / this.bytesPerImage;
  }

  static load(file: string, shape: ImageShape): PackedImages {
    return new PackedImages(fs.readFileSync(file), shape);
  }

  /** Images already in memory (e.g. a decoded JPEG copy of a dataset), packed the same way. */
  static wrap(data: Buffer, shape: ImageShape): PackedImages {
    return new PackedImages(data, shape);
  }

  /** One image as a view (no copy). */
  image(index: number): Uint8Array {
    this.check(index);
    return this.data.subarray(index * this.bytesPerImage, (index + 1) * this.bytesPerImage);
  }

  /** The images at `indices`, packed NHWC into one new buffer (one memcpy per image). */
  gather(indices: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(indices.length * this.bytesPerImage);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      this.check(i);
      out.set(this.data.subarray(i * this.bytesPerImage, (i + 1) * this.bytesPerImage), k * this.bytesPerImage);
    }
    return out;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`Image index ${index} is outside 0..${this.count - 1}.`);
  }
}

/** Reads only the requested rows from disk (thumbnails, previews) without loading the whole file. */
export function readImages(file: string, shape: ImageShape, indices: readonly number[]): Uint8Array[] {
  const size = imageBytes(shape);
  const fd = fs.openSync(file, 'r');
  try {
    return indices.map((i) => {
      const out = new Uint8Array(size);
      const n = fs.readSync(fd, out, 0, size, i * size);
      if (n !== size) throw new RangeError(`Image ${i} is beyond the end of ${file}.`);
      return out;
    });
  } finally {
    fs.closeSync(fd);
  }
}
