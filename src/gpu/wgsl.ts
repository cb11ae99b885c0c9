// What a shader declares, read from its WGSL source: its bindings (name, kind, type), the fields
// of its structs, and its override constants. Kernels build their bind group layouts and pack
// their uniforms from this, so a binding or a uniform field is written once: in the WGSL.

/** uniform, read-only storage, read-write storage. */
export type ResourceKind = 'uniform' | 'read' | 'rw';

export interface BindingInfo {
  binding: number;
  /** The WGSL variable's name: layer_1, weights, params, ... */
  name: string;
  kind: ResourceKind;
  /** Its WGSL type as written: Params, array<f32>, array<vec4f>, ... */
  type: string;
}

export interface StructField {
  name: string;
  type: 'u32' | 'i32' | 'f32';
}

export interface Reflection {
  /** In binding order, group 0 (the only group these kernels use). */
  bindings: BindingInfo[];
  structs: Record<string, StructField[]>;
  overrides: string[];
  entryPoints: string[];
}

const BINDING = /@group\(\s*0\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var<\s*(uniform|storage)\s*(?:,\s*(read|read_write)\s*)?>\s*(\w+)\s*:\s*([^;]+);/g;
const STRUCT = /struct\s+(\w+)\s*\{([^}]*)\}/g;
const FIELD = /(\w+)\s*:\s*(\w+)\s*,?/g;
const OVERRIDE = /^\s*override\s+(\w+)/gm;
const ENTRY = /@compute[^\n]*\n?\s*fn\s+(\w+)/g;

/** Strips // comments, so commented-out declarations are not read. */
function code(source: string): string {
  return source.replace(/\/\/.*$/gm, '');
}

const cache = new Map<string, Reflection>();

export function reflect(source: string): Reflection {
  const hit = cache.get(source);
  if (hit) return hit;
  const text = code(source);
  const bindings: BindingInfo[] = [];
  for (const m of text.matchAll(BINDING)) {
    const [, index, space, access, name, type] = m;
    bindings.push({
      binding: Number(index),
      name: name!,
      kind: space === 'uniform' ? 'uniform' : access === 'read_write' ? 'rw' : 'read',
      type: type!.trim(),
    });
  }
  bindings.sort((a, b) => a.binding - b.binding);
  bindings.forEach((b, i) => {
    if (b.binding !== i) throw new Error(`WGSL bindings must be numbered 0, 1, 2, ... without gaps: ${b.name} is @binding(${b.binding})`);
  });
  const structs: Record<string, StructField[]> = {};
  for (const m of text.matchAll(STRUCT)) {
    const fields: StructField[] = [];
    for (const f of m[2]!.matchAll(FIELD)) {
      const type = f[2]!;
      if (type === 'u32' || type === 'i32' || type === 'f32') fields.push({ name: f[1]!, type });
      else fields.push({ name: f[1]!, type: 'u32' }); // not a uniform scalar; never packed (see uniformBytes)
    }
    structs[m[1]!] = fields;
  }
  const overrides = [...text.matchAll(OVERRIDE)].map((m) => m[1]!);
  const entryPoints = [...text.matchAll(ENTRY)].map((m) => m[1]!);
  const out = { bindings, structs, overrides, entryPoints };
  cache.set(source, out);
  return out;
}

/**
 * The bytes of the uniform `binding` of a shader, packed from values named as the WGSL struct's
 * fields: every field must be given (and no other), u32 and i32 as integers. Scalars only, 4 bytes
 * each in declaration order, the struct rounded up to 16 bytes.
 */
export function uniformBytes(reflection: Reflection, binding: string, values: Readonly<Record<string, number>>, what: string): ArrayBuffer {
  const info = reflection.bindings.find((b) => b.name === binding);
  if (!info || info.kind !== 'uniform') throw new Error(`${what}: no uniform binding named ${binding}`);
  const fields = reflection.structs[info.type];
  if (!fields) throw new Error(`${what}: the uniform ${binding} has type ${info.type}, which is not a struct declared in the shader`);
  const names = fields.map((f) => f.name);
  const extra = Object.keys(values).filter((k) => !names.includes(k));
  if (extra.length) throw new Error(`${what}: ${info.type} has no field ${extra.join(', ')} (it has ${names.join(', ')})`);
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  fields.forEach((field, i) => {
    const value = values[field.name];
    if (value === undefined) throw new Error(`${what}: the value of ${info.type}.${field.name} is missing`);
    if (field.type === 'f32') view.setFloat32(i * 4, value, true);
    else if (field.type === 'i32') view.setInt32(i * 4, value, true);
    else view.setUint32(i * 4, value, true);
  });
  return bytes;
}

/** The byte offset of a field in the uniform struct bound as `binding`. */
export function uniformOffset(reflection: Reflection, binding: string, field: string): number {
  const info = reflection.bindings.find((b) => b.name === binding)!;
  const index = reflection.structs[info.type]!.findIndex((f) => f.name === field);
  if (index < 0) throw new Error(`${info.type} has no field ${field}`);
  return index * 4;
}

/**
 * A compiler's message as one line. Tint (Chromium) gives one line already; naga (Firefox) gives
 * "\nShader 'label' parsing error: expected `;`, found \"}\"" followed by a drawing of the source
 * with carets, which the page shows at the line itself instead.
 */
export function compilerMessage(message: string): string {
  const first = message.split('\n').find((line) => line.trim() !== '') ?? message;
  return first.replace(/^\s*Shader '[^']*' (parsing|validation) error:\s*/, '').trim();
}
