/** Callers of the test federations: tokens minted with the federation's development issuer key. */
import { mintToken, type TokenClaims } from '../../gateway/auth/tokens.js';
import { issuerKeyFile } from './federation.js';
import type { FederationInfo } from './federation.js';

/** A kind of caller: who (the token's claims, or none for the public) and the purpose declared. */
export interface Caller {
  readonly name: string;
  readonly claims: TokenClaims | null;
  readonly purpose: string | null;
}

/** The callers the policy tests run as. */
export const CALLERS = {
  public: { name: 'the public', claims: null, purpose: null },
  marketOfficer: {
    name: 'a market regulation officer reviewing a registration',
    claims: { sub: 'market-officer-1', agency: 'MARKET', roles: ['officer'], purposes: ['REGISTRATION_REVIEW', 'CREDIT_SUPERVISION'], region: '110000' },
    purpose: 'REGISTRATION_REVIEW',
  },
  marketOfficerSupervising: {
    name: 'the same market regulation officer on credit supervision',
    claims: { sub: 'market-officer-1', agency: 'MARKET', roles: ['officer'], purposes: ['REGISTRATION_REVIEW', 'CREDIT_SUPERVISION'], region: '110000' },
    purpose: 'CREDIT_SUPERVISION',
  },
  taxOfficer: {
    name: 'a tax officer administering taxes',
    claims: { sub: 'tax-officer-1', agency: 'TAX', roles: ['officer'], purposes: ['TAX_ADMINISTRATION', 'JOINT_PUNISHMENT'], region: '310000' },
    purpose: 'TAX_ADMINISTRATION',
  },
  socialOfficerPunishing: {
    name: 'a social security officer acting on joint punishment',
    claims: { sub: 'social-officer-1', agency: 'SOCIAL', roles: ['officer'], purposes: ['JOINT_PUNISHMENT'] },
    purpose: 'JOINT_PUNISHMENT',
  },
  socialOfficerAdministering: {
    name: 'a social security officer administering insurance',
    claims: { sub: 'social-officer-2', agency: 'SOCIAL', roles: ['officer'], purposes: ['SOCIAL_INSURANCE_ADMINISTRATION', 'JOINT_PUNISHMENT'] },
    purpose: 'SOCIAL_INSURANCE_ADMINISTRATION',
  },
  customsOfficer: {
    name: 'a customs officer supervising clearance',
    claims: { sub: 'customs-officer-1', agency: 'CUSTOMS', roles: ['officer'], purposes: ['CUSTOMS_SUPERVISION'], region: '440000' },
    purpose: 'CUSTOMS_SUPERVISION',
  },
  procurement: {
    name: "a procurement centre's approval system",
    claims: { sub: 'procurement-system', agency: 'PROCUREMENT_CENTRE', roles: ['approval-system'], purposes: ['PUBLIC_PROCUREMENT'] },
    purpose: 'PUBLIC_PROCUREMENT',
  },
  subsidySystem: {
    name: "a finance bureau's subsidy approval system",
    claims: { sub: 'subsidy-system', agency: 'FINANCE_BUREAU', roles: ['approval-system'], purposes: ['FISCAL_SUBSIDY'] },
    purpose: 'FISCAL_SUBSIDY',
  },
  licensingSystem: {
    name: "an administrative licensing centre's approval system",
    claims: { sub: 'licensing-system', agency: 'LICENSING_CENTRE', roles: ['approval-system'], purposes: ['ADMINISTRATIVE_LICENSING'] },
    purpose: 'ADMINISTRATIVE_LICENSING',
  },
  incentiveSystem: {
    name: 'a green-channel approval system granting joint incentives',
    claims: { sub: 'incentive-system', agency: 'DEVELOPMENT_REFORM', roles: ['approval-system'], purposes: ['JOINT_INCENTIVE'] },
    purpose: 'JOINT_INCENTIVE',
  },
  creditSupervisor: {
    name: 'a credit supervision officer of the development and reform commission',
    claims: { sub: 'credit-officer-1', agency: 'DEVELOPMENT_REFORM', roles: ['officer'], purposes: ['CREDIT_SUPERVISION'] },
    purpose: 'CREDIT_SUPERVISION',
  },
  auditor: {
    name: 'an auditor',
    claims: { sub: 'auditor-1', agency: 'AUDIT_OFFICE', roles: ['auditor'], purposes: ['AUDIT'] },
    purpose: 'AUDIT',
  },
} satisfies Record<string, Caller>;

/** HTTP headers that make a request come from `caller`. */
export async function headersFor(federation: Pick<FederationInfo, 'keysDir'>, caller: Caller, ttlSeconds = 600): Promise<Record<string, string>> {
  if (!caller.claims) return {};
  const token = await mintToken(caller.claims, { issuerKeyFile: issuerKeyFile(federation), ttlSeconds });
  return { authorization: `Bearer ${token}`, ...(caller.purpose ? { 'x-purpose': caller.purpose } : {}) };
}
