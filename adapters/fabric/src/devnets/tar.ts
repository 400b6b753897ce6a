import { gzipSync } from 'node:zlib';

/**
 * A gzipped ustar archive of regular files, enough for a Fabric chaincode package (a tar.gz
 * of `metadata.json` and `code.tar.gz`). Deterministic: fixed mtime, mode and owner, so the
 * same content always gives the same package id.
 */
export function tarGz(files: Array<{ name: string; content: Buffer | string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    if (Buffer.byteLength(file.name) > 100) throw new Error(`tar: name too long: ${file.name}`);
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 8, 'ascii'); // mode
    header.write('0000000\0', 108, 8, 'ascii'); // uid
    header.write('0000000\0', 116, 8, 'ascii'); // gid
    header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
    header.write('00000000000\0', 136, 12, 'ascii'); // mtime
    header.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces while summing
    header.write('0', 156, 1, 'ascii'); // regular file
    header.write('ustar\0', 257, 6, 'ascii');
    header.write('00', 263, 2, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}
