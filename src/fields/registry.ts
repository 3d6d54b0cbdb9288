/**
 * The field registry: one table of every field mpscope knows, in the order
 * the fields appear in a packet's tree. Definitions live in `defs/`; this
 * module only stores, finds and derives.
 */
import { nearestNames } from './distance.js';
import { quoteContext } from './quote.js';
import type { FieldBase, FieldContext, FieldDef, FieldInfo, FieldResult, FieldType, FieldValue, JsonShape, Scope } from './types.js';

export type Getter = (ctx: FieldContext) => FieldResult;
export type ItemGetter<T> = (item: T, ctx: FieldContext) => FieldResult;

/** Occurrences in the packet, then in the packet an ICMP error quotes. */
function withQuoted(get: Getter): Getter {
  return (ctx) => {
    const outer = get(ctx);
    const q = quoteContext(ctx);
    const inner = q && get(q);
    if (inner === undefined || (isMulti(inner) && inner.length === 0)) return outer;
    if (outer === undefined) return inner;
    return [...occurrences(outer), ...occurrences(inner)];
  };
}

export interface DefinerOptions {
  /** Fields also read the packet quoted in an ICMP error. */
  alsoQuoted?: boolean;
}

export interface FieldOptions {
  base?: FieldBase;
  /** The field whose subtree holds this one in JSON output. */
  parent?: string;
  /** Overrides the definer's layer. */
  layer?: string;
  /** How tshark's JSON shapes the field, when not as a plain key. */
  json?: JsonShape;
}

export function isMulti(v: FieldResult): v is readonly FieldValue[] {
  return Array.isArray(v);
}

/** The occurrences of a result as a list (empty when absent). */
export function occurrences(v: FieldResult): readonly FieldValue[] {
  if (v === undefined) return [];
  return isMulti(v) ? v : [v];
}

function collect<T>(scope: Scope<T>, get: ItemGetter<T>): Getter {
  return (ctx) => {
    const items = scope.items(ctx);
    if (items === undefined || items.length === 0) return undefined;
    let out: FieldValue[] | undefined;
    for (const item of items) {
      const v = get(item, ctx);
      if (v === undefined) continue;
      out ??= [];
      if (isMulti(v)) out.push(...v);
      else out.push(v);
    }
    if (out === undefined || out.length === 0) return undefined;
    return out.length === 1 ? out[0] : out;
  };
}

export class FieldRegistry {
  private readonly byName = new Map<string, FieldDef>();
  private readonly ordered: FieldDef[] = [];
  private readonly scopeList: Array<Scope<unknown>> = [];
  /** Bumped on every change so derived tables (the JSON plan) know to rebuild. */
  private version = 0;

  get generation(): number {
    return this.version;
  }

  add(def: FieldDef): FieldDef {
    if (this.byName.has(def.name)) throw new Error(`field ${def.name} is defined twice`);
    if (def.parent !== undefined && !this.byName.has(def.parent)) {
      throw new Error(`field ${def.name}: parent ${def.parent} must be defined before it`);
    }
    if (def.scope !== undefined && !this.scopeList.includes(def.scope)) this.scopeList.push(def.scope);
    this.byName.set(def.name, def);
    this.ordered.push(def);
    this.version++;
    return def;
  }

  /** A helper that fills in the layer (and scope) of a group of definitions. */
  definer(layer: string, opts: DefinerOptions = {}): Definer {
    return new Definer(this, layer, opts.alsoQuoted ?? false);
  }

  get(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every field in definition order. */
  list(): readonly FieldDef[] {
    return this.ordered;
  }

  scopes(): ReadonlyArray<Scope<unknown>> {
    return this.scopeList;
  }

  /** The `n` known names closest to `name` (edit distance, with prefix matches first), for "did you mean" hints. */
  nearest(name: string, n = 3): string[] {
    return nearestNames(name, this.byName.keys(), n);
  }
}

/** The description a definer gives a field: its arguments, with the definer's layer and decimal display by default. */
function describe(name: string, type: FieldType, description: string, layer: string, opts: FieldOptions): FieldInfo & { json: JsonShape | undefined } {
  return { name, type, description, layer: opts.layer ?? layer, base: opts.base ?? 'dec', parent: opts.parent, json: opts.json };
}

export class Definer {
  constructor(
    private readonly registry: FieldRegistry,
    private readonly layer: string,
    private readonly alsoQuoted = false,
  ) {}

  field(name: string, type: FieldType, description: string, get: Getter, opts: FieldOptions = {}): FieldDef {
    return this.registry.add({
      ...describe(name, type, description, this.layer, opts),
      get: this.alsoQuoted ? withQuoted(get) : get,
      own: get,
      alsoQuoted: this.alsoQuoted,
      scope: undefined,
      node: false,
    });
  }

  /** A protocol-presence field whose value is the protocol's one-line summary. */
  protocol(name: string, description: string, summary: Getter, opts: FieldOptions = {}): FieldDef {
    return this.field(name, 'protocol', description, summary, opts);
  }

  /** Definitions read item by item from `scope`. */
  scoped<T>(scope: Scope<T>): ScopedDefiner<T> {
    return new ScopedDefiner(this.registry, this.layer, scope);
  }
}

export class ScopedDefiner<T> {
  constructor(
    private readonly registry: FieldRegistry,
    private readonly layer: string,
    private readonly scope: Scope<T>,
  ) {}

  field(name: string, type: FieldType, description: string, get: ItemGetter<T>, opts: FieldOptions = {}): FieldDef {
    return this.define(name, type, description, get, opts, false);
  }

  /** A field that heads each item's subtree in JSON (tshark's option protocols, `vlan`). */
  node(name: string, type: FieldType, description: string, get: ItemGetter<T>, opts: FieldOptions = {}): FieldDef {
    return this.define(name, type, description, get, opts, true);
  }

  private define(name: string, type: FieldType, description: string, get: ItemGetter<T>, opts: FieldOptions, node: boolean): FieldDef {
    const scope = this.scope as Scope<unknown>;
    const all = collect(this.scope, get);
    return this.registry.add({
      ...describe(name, type, description, this.layer, opts),
      get: all,
      own: all,
      alsoQuoted: false,
      scope,
      getItem: get as ItemGetter<unknown>,
      node,
    });
  }
}

/** The public description of a definition. */
export function fieldInfo(def: FieldDef): FieldInfo {
  return { name: def.name, type: def.type, description: def.description, layer: def.layer, base: def.base, parent: def.parent };
}
