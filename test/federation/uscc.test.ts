import { describe, expect, inject, it } from 'vitest';
import { AGENCIES } from '../../platform/domain/agencies.js';
import { graphql, requestCount, subgraphMetrics } from '../support/graphql.js';

const federation = inject('federation');
const QUERY = 'query One($uscc: USCC!) { enterprise(uscc: $uscc) { uscc } }';

async function agencyRequests(): Promise<number[]> {
  return Promise.all(AGENCIES.map(async (a) => requestCount(await subgraphMetrics(federation.adminUrls[a]), a)));
}

describe('the USCC scalar at the gateway', () => {
  it.each([
    ['9135010', 'LENGTH', 'a unified social credit code has 18 characters; "9135010" has 7'],
    ['91350100M0001O0Y43', 'CHARACTER', 'bad character "O" at position 14 of "91350100M0001O0Y43": only digits and the capital letters ABCDEFGHJKLMNPQRTUWXY may appear'],
    ['91350100M000100Y53', 'ORGANISATION_CHECK', 'organisation code check digit of "91350100M000100Y53" is wrong: position 17 is "5", expected "4"'],
    ['91350100M000100Y44', 'CHECK_DIGIT', 'check digit of "91350100M000100Y44" is wrong: position 18 is "4", expected "3"'],
  ])('refuses %s in a variable with reason %s and says what is wrong', async (code, reason, message) => {
    const before = await agencyRequests();
    const { status, body } = await graphql(federation.gatewayUrl, QUERY, { uscc: code });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toBe(`Variable "$uscc" got invalid value "${code}"; ${message}`);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_USCC', reason });
    // Refused at the edge: no agency was asked.
    expect(await agencyRequests()).toEqual(before);
  });

  it('refuses an invalid code written in the query itself', async () => {
    const { status, body } = await graphql(federation.gatewayUrl, '{ enterprise(uscc: "91350100M000100Y44") { uscc } }');
    expect(status).toBe(400);
    expect(body.errors![0]).toMatchObject({
      message: 'check digit of "91350100M000100Y44" is wrong: position 18 is "4", expected "3"',
      extensions: { code: 'INVALID_USCC', reason: 'CHECK_DIGIT', position: 18 },
    });
  });

  it('names the bad element of a list', async () => {
    const { body } = await graphql(federation.gatewayUrl, 'query L($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', {
      c: ['91350100M000100Y43', '91350100M000100Y44'],
    });
    expect(body.errors![0]!.message).toBe('Variable "$c" got invalid value "91350100M000100Y44" at "c[1]"; check digit of "91350100M000100Y44" is wrong: position 18 is "4", expected "3"');
  });

  it('refuses a number where a code belongs', async () => {
    const { body } = await graphql(federation.gatewayUrl, QUERY, { uscc: 913501 });
    expect(body.errors![0]!.message).toContain('a unified social credit code must be a string, not a number');
  });
});
