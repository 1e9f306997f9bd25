/** Writes small zip files (stored or deflated members) for the wheel-reading tests. */
import fs from 'node:fs';
import zlib from 'node:zlib';

export function writeZip(file: string, members: Array<{ name: string; data: Buffer; deflate?: boolean }>): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? zlib.deflateRawSync(m.data) : m.data;
    const name = Buffer.from(m.name, 'utf8');
    const crc = zlib.crc32(m.data);
    // A local header and its central entry share the fields from "version needed" to the name's length.
    const shared = (header: Buffer, at: number): void => {
      header.writeUInt16LE(20, at);
      header.writeUInt16LE(m.deflate ? 8 : 0, at + 4);
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
  fs.writeFileSync(file, Buffer.concat([...locals, dir, end]));
}
