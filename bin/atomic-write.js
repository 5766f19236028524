// atomic-write.js: how the CLI writes every file (models and checkpoints), so that a crash, a
// kill or a full disk at any moment leaves either the old file or the new one, never a mix or a
// truncated file: the bytes go to a temporary file in the same folder, which is flushed to the
// disk (fsync), renamed over the target (atomic within one filesystem), and the folder is flushed
// so the rename itself survives a power cut. Node-only; the library (lib/) never writes files.

import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const REASONS = {
  ENOSPC: 'no space left on the device: free some space',
  EDQUOT: 'the disk quota is used up: free some space',
  EACCES: 'permission denied: pick a folder you can write to',
  EPERM: 'permission denied: pick a folder you can write to',
  EROFS: 'the filesystem is read-only: pick another folder',
  ENOENT: 'the folder does not exist: create it first',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder: give a file name',
  EFBIG: 'the file is larger than this system allows',
  EIO: 'an input/output error from the disk',
};

function tempPrefix(path) {
  return `.${basename(path)}.tmp-`;
}

/** True when no process with this id runs (its temporary file is left over from a crash). */
function gone(pid) {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

/** Removes temporary files a killed writer left next to `path` (best effort). */
async function removeLeftovers(path) {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names;
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && gone(pid)) await unlink(join(dir, name)).catch(() => {});
  }
}

let counter = 0;

/**
 * Replaces the file at `path` with `bytes` atomically. On any failure the temporary file is
 * removed, the file at `path` is as it was, and the Error says why (`code` is the system's, e.g.
 * ENOSPC) and that the old file is intact.
 * @param {string} path
 * @param {Uint8Array} bytes
 */
export async function writeFileAtomic(path, bytes) {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `${tempPrefix(target)}${process.pid}-${counter++}`);
  let handle = null;
  try {
    handle = await open(temp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    const reason = REASONS[error.code] ?? error.message;
    const failure = new Error(`cannot write ${path}: ${reason}; the previous ${basename(path)}, if there was one, is unchanged`);
    failure.code = error.code;
    failure.cause = error;
    throw failure;
  }
  try {
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // some filesystems cannot fsync a folder; the rename has happened all the same
  }
  await removeLeftovers(target);
}
