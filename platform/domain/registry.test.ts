/**
 * The agencies and the approval matters are declared once, in the registry (agencies.ts,
 * matters.ts); the review's contracts and rules spell them again in their own languages. These
 * tests fail when one of them disagrees with the registry: an agency or a matter added in one
 * place only would otherwise be refused by the others, or reviewed without its rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config/projectRoot.js';
import { AGENCIES, AGENCY_CODES, AGENCY_REGISTRY } from './agencies.js';
import { MATTERS } from './matters.js';

const CODES = AGENCIES.map((agency) => AGENCY_CODES[agency]);
const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

describe('the registry, as the review subgraph spells it (gateway/review/schema.graphql)', () => {
  const values = (name: string) => {
    const definition = parse(read('gateway/review/schema.graphql')).definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name);
    return definition?.kind === Kind.ENUM_TYPE_DEFINITION ? (definition.values ?? []).map((v) => v.name.value) : [];
  };

  it('has enum ReviewAgency with the codes of the four agencies, in the registry order, then JOINT for findings of several', () => {
    expect(values('ReviewAgency')).toEqual([...CODES, 'JOINT']);
  });

  it('has enum Matter with every matter, in the registry order', () => {
    expect(values('Matter')).toEqual([...MATTERS]);
  });
});

describe('the registry, as the gRPC contract spells it (protos/meg/review/v1/review_service.proto)', () => {
  const values = (name: string) => {
    const body = new RegExp(`\\benum ${name} \\{([^}]*)\\}`).exec(read('protos/meg/review/v1/review_service.proto'))?.[1] ?? '';
    return [...body.matchAll(/^\s*([A-Z0-9_]+)\s*=\s*(\d+)\s*;/gm)].map(([, value, number]) => [value, Number(number)]);
  };

  it('numbers enum Agency from 1 in the registry order, after AGENCY_UNSPECIFIED and before AGENCY_JOINT for findings of several', () => {
    expect(values('Agency')).toEqual([['AGENCY_UNSPECIFIED', 0], ...CODES.map((code, i) => [`AGENCY_${code}`, i + 1]), ['AGENCY_JOINT', CODES.length + 1]]);
  });

  it('numbers enum Matter from 1 in the registry order, after MATTER_UNSPECIFIED', () => {
    expect(values('Matter')).toEqual([['MATTER_UNSPECIFIED', 0], ...MATTERS.map((matter, i) => [`MATTER_${matter}`, i + 1])]);
  });
});

describe('the registry, as the review rules spell it (policies/meg/review/review.rego)', () => {
  const rego = read('policies/meg/review/review.rego');
  /** The strings of the Rego set or object literal assigned to `name`, keys and values alike. */
  const strings = (name: string) => {
    const literal = new RegExp(`^${name} := \\{([^]*?)\\n\\}`, 'm').exec(rego)?.[1] ?? '';
    return [...literal.matchAll(/"([^"]*)"/g)].map(([, s]) => s!);
  };

  it('reviews exactly the matters of the registry', () => {
    expect(strings('_matters').sort()).toEqual([...MATTERS].sort());
  });

  it('names only agencies of the registry as the owners of its rules, and each of them at least once', () => {
    const owners = new Set(Object.values(Object.fromEntries(pairs(strings('_rule_agency')))));
    expect([...owners].sort()).toEqual([...CODES].sort());
  });

  it('limits rules to matters of the registry only', () => {
    // Its keys are rules (lower case), its values sets of matters (upper case).
    const named = strings('_rule_matters').filter((s) => s === s.toUpperCase());
    expect(named.length).toBeGreaterThan(0);
    for (const matter of named) expect(MATTERS).toContain(matter);
  });
});

describe('the registry, as the access policy spells it (policies/meg/access/access.rego)', () => {
  it('counts as owning agencies exactly the subgraphs of the registry', () => {
    const rego = read('policies/meg/access/access.rego');
    const literal = /^_agency_subgraphs := \{([^}]*)\}/m.exec(rego)?.[1] ?? '';
    expect([...literal.matchAll(/"([^"]*)"/g)].map(([, s]) => s).sort()).toEqual([...AGENCIES].sort());
  });
});

describe('the registry itself', () => {
  it('gives every agency a code, a port, names and the profile key Enterprise holds it under, none of them shared', () => {
    const entries = AGENCIES.map((agency) => AGENCY_REGISTRY[agency]);
    for (const key of ['code', 'port', 'adminPort', 'name', 'nameZh', 'profileKey'] as const) {
      expect(new Set(entries.map((e) => e[key])).size).toBe(AGENCIES.length);
    }
  });

  it.each(AGENCIES)("finds %s's profile on Enterprise in its subgraph's schema under the registry's key", (agency) => {
    const schema = parse(read(`subgraphs/${agency}/schema.graphql`));
    const enterprise = schema.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Enterprise');
    const fields = enterprise && 'fields' in enterprise ? (enterprise.fields ?? []).map((f) => f.name.value) : [];
    expect(fields).toContain(AGENCY_REGISTRY[agency].profileKey);
  });
});

/** [key, value] pairs of a flat list of an object literal's strings. */
function pairs(strings: readonly string[]): [string, string][] {
  return Array.from({ length: strings.length / 2 }, (_, i) => [strings[2 * i]!, strings[2 * i + 1]!]);
}
