/**
 * Writes small zip archives in memory (a model's few files: `.winnow-model.zip`): deflated members with their
 * CRC-32, no ZIP64 (each member and the whole archive stay under 4 GiB; larger input is refused).
 */
import zlib from 'node:zlib';

export interface ZipMember {
  /** The member's path inside the archive ('/'-separated, no leading '/'). */
  name: string;
  data: Buffer;
  /** Store uncompressed instead of deflating (already-compressed data, or for tests). */
  store?: boolean;
}

const LIMIT = 0xffffffff;

export function zipMembers(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    if (m.name === '' || m.name.startsWith('/') || m.name.split('/').includes('..'))
      throw new Error(`A zip member cannot be named ${JSON.stringify(m.name)}.`);
    const body = m.store ? m.data : zlib.deflateRawSync(m.data);
    if (m.data.length >= LIMIT || offset + body.length >= LIMIT)
      throw new Error(`${m.name} is too large for a zip without ZIP64 (4 GiB).`);
    const name = Buffer.from(m.name, 'utf8');
    const crc = zlib.crc32(m.data);
    // A local header and its central entry share the fields from "version needed" to the name's length; bit 11 of
    // the flags says the name is UTF-8.
    const shared = (header: Buffer, at: number): void => {
      header.writeUInt16LE(20, at);
      header.writeUInt16LE(0x0800, at + 2);
      header.writeUInt16LE(m.store ? 0 : 8, at + 4);
      header.writeUInt32LE(crc, at + 10);
      header.writeUInt32LE(body.length, at + 14);
      header.writeUInt32LE(m.data.length, at + 18);
      header.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    shared(local, 4);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    shared(central, 6);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
