// A minimal zip writer for deploying a directory from the browser: entries are stored (not compressed), which the
// server's unzip reads like any other zip. Only what `hearth deploy` sends: files with their relative paths.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xFFFFFFFF;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}

/** files: [{name: 'dir/handler.py', bytes: Uint8Array}] → a Blob of type application/zip. */
export function zip(files) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const crc = crc32(f.bytes);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);      // version needed
    local.setUint16(6, 0x0800, true);  // UTF-8 names
    local.setUint16(8, 0, true);       // stored
    local.setUint32(14, crc, true);
    local.setUint32(18, f.bytes.length, true);
    local.setUint32(22, f.bytes.length, true);
    local.setUint16(26, name.length, true);
    parts.push(local, name, f.bytes);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 0x0800, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, f.bytes.length, true);
    cd.setUint32(24, f.bytes.length, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    central.push(cd, name);
    offset += 30 + name.length + f.bytes.length;
  }
  const centralSize = central.reduce((a, p) => a + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}

/**
 * The files of a directory chosen with <input webkitdirectory>, relative to the directory that holds hearth.yaml
 * (the chosen directory's own name is dropped, as `hearth deploy dir/hearth.yaml` does).
 */
export async function directoryFiles(fileList) {
  const files = [...fileList];
  const manifest = files.find(f => /(^|\/)hearth\.yaml$/.test(f.webkitRelativePath || f.name)
    && (f.webkitRelativePath || f.name).split('/').length <= 2);
  if (!manifest) throw new Error('the chosen directory has no hearth.yaml at its top');
  const root = (manifest.webkitRelativePath || manifest.name).replace(/hearth\.yaml$/, '');
  const out = [];
  for (const f of files) {
    const path = f.webkitRelativePath || f.name;
    if (!path.startsWith(root)) continue;
    const rel = path.slice(root.length);
    if (/(^|\/)(__pycache__|\.git|\.hearth)(\/|$)/.test(rel)) continue;
    out.push({ name: rel, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}
