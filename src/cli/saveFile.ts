// Where --save writes, checked before any work, and the write itself. The rules:
// - the target is a regular file or absent, never a link, a device, a directory or a pipe, and not
//   a file the run reads its data from;
// - its directory exists and a file can be made there (checked by making one, so permissions,
//   sticky directories, read-only mounts and name lengths all answer now, not after training);
// - the weights go to a short temporary name beside the target and are renamed over it only when
//   whole; any failure removes the temporary file;
// - when the write fails after training (a full disk), the weights go to a fallback file in the
//   system's temporary directory, and the message names it.

import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { OptionError, OutputError } from '../errors.js';

/** The parts of node:fs/promises the writer uses (a test swaps in one whose writes fail). */
export type SaveFs = Pick<typeof nodeFs, 'open' | 'rename' | 'unlink' | 'lstat' | 'stat' | 'readdir'>;

/** The sticky bit of a directory's mode (S_ISVTX). */
const STICKY = 0o1000;

/** Longest file name (in bytes) Linux and macOS file systems take. */
const NAME_MAX = 255;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  EISDIR: 'it is a directory',
  ELOOP: 'too many symbolic links',
  EIO: 'an input/output error',
};

/** "ENOSPC (no space left on the device)" for a Node file-system error. */
export function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ? `${code} (${REASONS[code] ?? (error as Error).message.replace(/^\w+: /, '').split(',')[0]})` : String((error as Error).message ?? error);
}

/** A short name beside the target, for the whole file before it is renamed into place. */
function temporaryName(dir: string): string {
  return join(dir, `.backprop-${process.pid}.tmp`);
}

function kind(stat: { isDirectory(): boolean; isSymbolicLink(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Fails now, with one line naming the reason, if `--save path` (or `option path`) could not be
 * written after training. `reading` are the files and directories the run reads its data from.
 */
export async function checkSaveTarget(path: string, reading: readonly string[], fs: SaveFs = nodeFs, option = '--save'): Promise<void> {
  const refuse = (why: string, hint?: string): never => {
    throw new OptionError(`${option} "${path}": ${why}`, hint);
  };
  if (path === '') refuse('an empty name', 'give a file name, such as --save weights.json');
  if (path.endsWith('/')) refuse('ends with /, so it names a directory', 'give a file name');
  if (Buffer.byteLength(basename(path)) > NAME_MAX) refuse(`a file name of ${Buffer.byteLength(basename(path))} bytes; file systems take at most ${NAME_MAX}`);
  const target = resolve(path);
  const dir = dirname(target);
  const dirStat = await fs.stat(dir).catch((error: unknown) => refuse(`cannot write in ${dir}: ${reason(error)}`));
  if (!dirStat.isDirectory()) refuse(`${dir} is not a directory`);
  const existing = await fs.lstat(target).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    return refuse(reason(error));
  });
  if (existing && !existing.isFile()) {
    refuse(`it is ${kind(existing)}; ${option} writes only regular files and never replaces anything else`, 'give the name of a new or existing regular file');
  }
  if (existing) {
    for (const read of reading) {
      const stat = await fs.stat(read).catch(() => undefined);
      if (!stat) continue;
      const files = stat.isDirectory() ? await Promise.all((await fs.readdir(read)).map((name) => fs.stat(join(read, name)).catch(() => undefined))) : [stat];
      if (files.some((f) => f && f.dev === existing.dev && f.ino === existing.ino)) {
        refuse(`it is a data file this run reads (${read}); saving would overwrite the data`, 'give another file name');
      }
    }
    // In a sticky directory (/tmp) only the file's or the directory's owner may replace a file.
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && dirStat.mode & STICKY && existing.uid !== uid && dirStat.uid !== uid) {
      refuse(`it belongs to another user in ${dir}, a sticky directory, so it cannot be replaced`);
    }
  }
  // Make the temporary file now (and remove it): what would stop it later stops the run here.
  const temporary = temporaryName(dir);
  try {
    await (await fs.open(temporary, 'wx')).close();
  } catch (error) {
    refuse(`cannot write in ${dir}: ${reason(error)}`);
  }
  await fs.unlink(temporary).catch(() => undefined);
}

async function writeWhole(fs: SaveFs, path: string, text: string | Uint8Array): Promise<void> {
  const file = await fs.open(path, 'wx', 0o644);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Writes `text` to `path` as a whole: to a temporary name beside it, then renamed over it, but
 * only if it is still a regular file or absent. On failure the temporary file is removed and the
 * text is written to a fallback file instead; the OutputError thrown names both.
 */
export async function saveText(path: string, text: string | Uint8Array, fs: SaveFs = nodeFs, fallbackDir = tmpdir(), option = '--save'): Promise<void> {
  const target = resolve(path);
  const temporary = temporaryName(dirname(target));
  try {
    await writeWhole(fs, temporary, text);
    const existing = await fs.lstat(target).catch(() => undefined);
    if (existing && !existing.isFile()) throw Object.assign(new Error(`it has become ${kind(existing)}, which is never replaced`), { code: 'ENOTREG' });
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    const fallback = join(fallbackDir, `backprop-${option === '--save' ? 'weights' : 'export'}-${process.pid}-${Date.now()}${extname(path) || '.json'}`);
    const saved = await writeWhole(fs, fallback, text).then(
      () => true,
      async () => {
        await fs.unlink(fallback).catch(() => undefined);
        return false;
      },
    );
    const why = (error as { code?: string }).code === 'ENOTREG' ? (error as Error).message : reason(error);
    throw new OutputError(
      `cannot write ${option} ${path}: ${why}; ` +
        (saved ? `${option === '--save' ? 'the weights are' : 'it is'} saved in ${fallback} instead` : `nor a fallback in ${fallbackDir}: ${option === '--save' ? 'the weights are' : 'it is'} lost`),
      saved ? 'move that file where you want it' : 'free some space and run again',
    );
  }
}

/**
 * Makes the directory `option path` names (and its parents), or fails with one line: a file or a
 * link in the way, no permission. An existing directory is used as it is.
 */
export async function makeDirectory(path: string, option: string): Promise<void> {
  if (path === '') throw new OptionError(`${option} "": an empty name`, `give a directory, such as ${option} exported`);
  const existing = await nodeFs.lstat(path).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new OptionError(`${option} "${path}": it is ${existing.isFile() ? 'a file' : kind(existing)}, not a directory`, 'give a new or existing directory');
  await nodeFs.mkdir(path, { recursive: true }).catch((error: unknown) => {
    throw new OptionError(`${option} "${path}": cannot make the directory: ${reason(error)}`);
  });
}
