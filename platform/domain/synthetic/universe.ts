/**
 * The synthetic universe of enterprises that every agency's seed slice draws from.
 *
 * Enterprise i of a seed is the same in every agency: its code, name, region, industry, legal
 * representative and two hidden traits — `risk` (how likely it breaks rules) and `trust` (how
 * well it keeps them) — from which each agency derives its own records with its own random
 * stream. So market regulation's dishonesty list, the tax rating and the customs credit level of
 * one enterprise agree with each other without any agency reading another's data.
 */
import { composeResidentId } from '../residentId.js';
import { composeUscc } from '../uscc.js';
import { WEIGHTED_INDUSTRIES, type Industry } from './industries.js';
import { Random, hash32 } from './random.js';
import { WEIGHTED_REGIONS, type Region } from './regions.js';

/** The day the synthetic universe is seen from: records are dated up to it. */
export const UNIVERSE_TODAY = '2026-06-30';

/** The seed `make seed` and `make start` use unless told otherwise. */
export const DEFAULT_SEED = 'meg-2026';

/** What all agencies agree on about one enterprise. */
export interface EnterpriseIdentity {
  readonly index: number;
  readonly uscc: string;
  readonly name: string;
  readonly entityType: string;
  readonly region: Region;
  readonly industry: Industry;
  readonly establishedOn: string;
  readonly registeredCapital: number;
  readonly address: string;
  readonly legalRepresentative: Person;
  /** Hidden trait in [0, 1): the higher, the more likely every agency has negative records. */
  readonly risk: number;
  /** Hidden trait in [0, 1): the higher, the more likely ratings and certifications are top. */
  readonly trust: number;
  /** Insured employees in the latest month (0 for an enterprise without employees). */
  readonly headcount: number;
  /** Whether the enterprise imports or exports (and so has a customs registration). */
  readonly trades: boolean;
}

/** A natural person (legal representative or employee). */
export interface Person {
  readonly name: string;
  readonly idNumber: string;
  readonly phone: string;
}

const TRADE_NAME_CHARACTERS = '华信泰鑫盛恒达源宏瑞锦博安康嘉祥福通汇丰永隆兴昌德润远航天启明辉正中创新智联云海峰鼎诚睿腾飞凯晟万和佳宇豪旭'.split('');
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  );
const GIVEN_CHARACTERS = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕红梅文斌晓东春梅雪梅婷玉兰宇浩然子涵欣怡一鸣佳琪思远晨阳'.split('');
const STREETS = ['人民路', '建设路', '解放路', '中山路', '科技路', '创业大道', '工业园路', '滨江大道', '长江路', '新华街'];
const PHONE_PREFIXES = ['130', '131', '135', '136', '138', '139', '150', '152', '158', '177', '186', '188', '199'];

/** Entity types with their shares among enterprises and the suffix of the name. */
const ENTITY_TYPES: readonly (readonly [readonly [string, string], number])[] = [
  [['LIMITED_LIABILITY_COMPANY', '有限公司'], 78],
  [['JOINT_STOCK_COMPANY', '股份有限公司'], 4],
  [['SOLE_PROPRIETORSHIP', '商行'], 6],
  [['PARTNERSHIP', '企业管理合伙企业（有限合伙）'], 5],
  [['FOREIGN_INVESTED_ENTERPRISE', '有限公司'], 4],
  [['BRANCH', '有限公司分公司'], 3],
];

/** Enterprise `index` (0-based) of the universe of `seed`. */
export function enterpriseAt(seed: string, index: number): EnterpriseIdentity {
  const rng = Random.for(seed, index, 'identity');
  const region = rng.weighted(WEIGHTED_REGIONS);
  const industry = rng.weighted(WEIGHTED_INDUSTRIES);
  const [entityType, suffix] = rng.weighted(ENTITY_TYPES);
  const tradeName = rng.pick(TRADE_NAME_CHARACTERS) + rng.pick(TRADE_NAME_CHARACTERS);
  const establishedOn = rng.dateBetween('1995-01-01', '2026-05-31');
  const capitalBands = [100_000, 500_000, 1_000_000, 3_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000];
  const registeredCapital = rng.pick(capitalBands) * rng.int(1, 3);
  const risk = rng.next();
  const trust = rng.next();
  const sizeFactor = rng.next();
  const headcount = sizeFactor < 0.08 ? 0 : Math.floor(Math.exp(rng.next() * 5.5 * Math.max(sizeFactor, 0.3)));
  return {
    index,
    uscc: composeUscc('9', '1', region.code, organisationBody(seed, index)),
    name: `${region.city}${tradeName}${industry.nameWord}${suffix}`,
    entityType,
    region,
    industry,
    establishedOn,
    registeredCapital,
    address: `${region.city}市${region.district}${rng.pick(STREETS)}${rng.int(1, 999)}号`,
    legalRepresentative: personAt(rng, region.code),
    risk,
    trust,
    headcount,
    trades: rng.chance(industry.tradeLikelihood * 0.6),
  };
}

/** A natural person drawn from `rng`, registered in or near `regionCode`. */
export function personAt(rng: Random, regionCode: string): Person {
  const given = rng.chance(0.6) ? rng.pick(GIVEN_CHARACTERS) + rng.pick(GIVEN_CHARACTERS) : rng.pick(GIVEN_CHARACTERS);
  const birth = rng.dateBetween('1958-01-01', '2003-12-31').replaceAll('-', '');
  return {
    name: rng.pick(SURNAMES) + given,
    idNumber: composeResidentId(regionCode, birth, rng.int(0, 999)),
    phone: rng.pick(PHONE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0'),
  };
}

/**
 * The eight-digit organisation-code body of enterprise `index`: an affine permutation of
 * 0..10^8−1 (the multiplier is prime to 10), so no two enterprises of a seed share a code.
 */
function organisationBody(seed: string, index: number): string {
  const offset = hash32(seed) % 100_000_000;
  const value = (index * 48271 + offset) % 100_000_000;
  return String(value).padStart(8, '0');
}
