/**
 * Reading a ZIP file's central directory (PKWARE APPNOTE 4.3.12, 4.3.16; ZIP64 4.3.14/4.3.15) and extracting
 * one entry (stored or deflated), for the investigation package (issue 8 item 6). Pure: Buffers in, Buffers out;
 * no vscode import. Entry names are checked before anything is written (no absolute paths, no `..`).
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The name as stored, with `/` separators. */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  readonly modified?: Date;
}

export class ZipFormatError extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  throw new ZipFormatError('Not a ZIP file (no end of central directory record).');
}

function dosDate(date: number, time: number): Date | undefined {
  if (!date) return undefined;
  return new Date(Date.UTC(1980 + (date >> 9), ((date >> 5) & 0xf) - 1, date & 0x1f, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2));
}

/** CP437 is the ZIP default when bit 11 is clear; ASCII covers the names packages use, so decode as latin1 then. */
function decodeName(raw: Buffer, utf8: boolean): string {
  return raw.toString(utf8 ? 'utf8' : 'latin1');
}

/** Lists the entries of a ZIP held in memory. */
export function listZip(buf: Buffer): ZipEntry[] {
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR) throw new ZipFormatError('ZIP64 archive without its locator.');
    const z64 = Number(buf.readBigUInt64LE(loc + 8));
    if (buf.readUInt32LE(z64) !== ZIP64_EOCD) throw new ZipFormatError('ZIP64 end record not found.');
    count = Number(buf.readBigUInt64LE(z64 + 32));
    size = Number(buf.readBigUInt64LE(z64 + 40));
    offset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  if (offset + size > buf.length) throw new ZipFormatError('The central directory lies outside the file (truncated download?).');
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError(`Central directory entry ${i + 1} is damaged.`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const crc32 = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let uncompressed = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const name = decodeName(buf.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    // ZIP64 extra field (0x0001): the 64-bit values, in order, for those set to 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressed === 0xffffffff) {
          uncompressed = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    entries.push({
      name,
      isDirectory: name.endsWith('/'),
      method,
      compressedSize,
      size: uncompressed,
      crc32,
      localHeaderOffset,
      modified: dosDate(date, time),
    });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** CRC-32 (IEEE), to check what was extracted. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The bytes of one entry, checked against its CRC. Stored (0) and deflated (8) entries only. */
export function extractEntry(buf: Buffer, entry: ZipEntry): Buffer {
  const p = entry.localHeaderOffset;
  if (buf.readUInt32LE(p) !== LOCAL) throw new ZipFormatError(`The data of ${entry.name} is damaged (no local header).`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const raw = buf.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) data = inflateRawSync(raw);
  else throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}, which this reader does not support.`);
  if (data.length !== entry.size || crc32(data) !== entry.crc32) throw new ZipFormatError(`${entry.name} does not match its checksum.`);
  return data;
}

/**
 * The relative path an entry may be written to, with `/` separators; undefined for names that would leave the
 * target folder (absolute, drive letters, `..`) or are empty.
 */
export function safeEntryPath(name: string): string | undefined {
  const parts = name.replace(/\\/g, '/').split('/').filter((x) => x !== '' && x !== '.');
  if (/^([a-z]:|\/)/i.test(name.replace(/\\/g, '/')) || parts.some((x) => x === '..' || /[\0]/.test(x)) || parts.length === 0) return undefined;
  return parts.join('/');
}
