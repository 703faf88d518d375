import { describe, expect, it } from 'vitest';
import { AGENCIES } from '../platform/domain/agencies.js';
import { subgraphSdl } from '../subgraphs/runtime/subgraphSchema.js';
import { buildCatalogue } from './catalogue.js';
import { composeSupergraph, type SubgraphSource } from './composeSupergraph.js';

const agencies = (): SubgraphSource[] => AGENCIES.map((name) => ({ name, url: `http://${name}.invalid/graphql`, sdl: subgraphSdl(name) }));

describe('composeSupergraph', () => {
  it('composes the four agency subgraphs with @classify kept on every field', () => {
    const result = composeSupergraph(agencies());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const catalogue = buildCatalogue(result.supergraphSdl);
    const byCoordinate = new Map(catalogue.map((e) => [e.coordinate, e]));
    expect(byCoordinate.get('TaxProfile.arrears')).toMatchObject({ owners: ['tax'], sharing: 'CONDITIONAL' });
    expect(byCoordinate.get('LegalRepresentative.idNumber')).toMatchObject({
      owners: ['market'],
      sharing: 'CONDITIONAL',
      personal: true,
      mask: 'ID_NUMBER',
      purposes: ['JOINT_PUNISHMENT', 'REGISTRATION_REVIEW'],
    });
    expect(byCoordinate.get('Enterprise.customs')?.owners).toEqual(['customs']);
  });

  it('fails on a field without a classification, naming it', () => {
    const subgraphs = agencies().map((s) => (s.name === 'tax' ? { ...s, sdl: s.sdl.replace('taxAuthority: String @classify(sharing: UNCONDITIONAL)', 'taxAuthority: String') } : s));
    const result = composeSupergraph(subgraphs);
    expect(result).toEqual({
      ok: false,
      errors: ['UNCLASSIFIED_FIELD: TaxProfile.taxAuthority has no @classify; every field must declare how it may be shared'],
    });
  });

  it('fails on a field classified SECRET: classified information never enters the graph', () => {
    const subgraphs = agencies().map((s) => (s.name === 'tax' ? { ...s, sdl: s.sdl.replace('revenue: Float @classify(sharing: NONE)', 'revenue: Float @classify(sharing: SECRET)') } : s));
    expect(composeSupergraph(subgraphs)).toEqual({
      ok: false,
      errors: ['SECRET_FIELD: TaxFiling.revenue is classified SECRET; classified information never enters the graph'],
    });
  });

  it('fails on a field some callers are denied that could not be null', () => {
    const subgraphs = agencies().map((s) => (s.name === 'social' ? { ...s, sdl: s.sdl.replace('employerNo: String @classify', 'employerNo: String! @classify') } : s));
    expect(composeSupergraph(subgraphs)).toEqual({
      ok: false,
      errors: ['DENIABLE_NON_NULL: SocialProfile.employerNo is UNCONDITIONAL, so some callers are denied it; it must be nullable'],
    });
  });

  it('fails on a mask that does not fit the field', () => {
    const subgraphs = agencies().map((s) =>
      s.name === 'social' ? { ...s, sdl: s.sdl.replace('insured: Int @classify(sharing: UNCONDITIONAL)', 'insured: Int @classify(sharing: UNCONDITIONAL, mask: PHONE)') } : s,
    );
    expect(composeSupergraph(subgraphs)).toEqual({
      ok: false,
      errors: ['MASK_TYPE: MonthlyHeadcount.insured is masked as PHONE, which applies to String, not Int'],
    });
  });

  it("fails with the composer's message when subgraphs disagree", () => {
    const subgraphs = agencies().map((s) => (s.name === 'customs' ? { ...s, sdl: s.sdl.replace('hasNextPage: Boolean! @classify', 'hasNextPage: String! @classify') } : s));
    const result = composeSupergraph(subgraphs);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/FIELD_TYPE_MISMATCH: .*"PageInfo\.hasNextPage"/);
  });
});
