/**
 * The approval matters for which enterprises are reviewed (联合奖惩 applies per matter): declared
 * here once. The review rules (policies/meg/review), the GraphQL enum `Matter` of the review
 * subgraph and the proto enum `meg.review.v1.Matter` spell them again, and a test
 * (matters.test.ts) fails when any of them disagrees with this list.
 */
export const MATTERS = [
  'GOVERNMENT_PROCUREMENT',
  'BIDDING',
  'FISCAL_SUBSIDY',
  'ADMINISTRATIVE_LICENCE',
  'STATE_LAND_TRANSFER',
  'LISTING',
  'CUSTOMS_CLEARANCE',
  'LEGAL_REPRESENTATIVE_APPOINTMENT',
] as const;

/** One approval matter. */
export type Matter = (typeof MATTERS)[number];
