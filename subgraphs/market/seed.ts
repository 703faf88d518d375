/**
 * Market regulation's slice of the synthetic universe: registrations, licences, penalties, the
 * abnormal-operations and serious-violation lists, annual reports and credit commitments.
 * Shares follow the universe's hidden `risk` trait: about 3–4% abnormal, 0.3% seriously dishonest.
 */
import { provinceOf, type AgencySeed } from '../../platform/db/seeding.js';
import { Random, addDays, maxDate } from '../../platform/domain/synthetic/random.js';
import { loadListMoveRules, moveDue } from '../../platform/domain/publicity.js';
import { seededPublication } from '../../platform/domain/synthetic/publication.js';
import { UNIVERSE_TODAY } from '../../platform/domain/synthetic/universe.js';

const LICENCE_TITLES = ['食品经营许可证', '道路运输经营许可证', '建筑业企业资质证书', '排污许可证', '医疗器械经营许可证', '危险化学品经营许可证', '出版物经营许可证'];
/** Causes of penalties (处罚事由) and the provisions they break (处罚依据). */
const PENALTY_BASES: readonly (readonly [string, string])[] = [
  ['虚假宣传', '《中华人民共和国反不正当竞争法》第八条'],
  ['销售不符合食品安全标准的食品', '《中华人民共和国食品安全法》第三十四条'],
  ['未按规定明码标价', '《中华人民共和国价格法》第十三条'],
  ['产品质量抽检不合格', '《中华人民共和国产品质量法》第四十九条'],
  ['侵犯注册商标专用权', '《中华人民共和国商标法》第五十七条'],
  ['无照经营', '《无证无照经营查处办法》第二条'],
];
/** The kind of licence each title is (Administrative Licensing Law, art. 12). */
const LICENCE_CATEGORIES: Readonly<Record<string, string>> = {
  道路运输经营许可证: 'FRANCHISE',
  建筑业企业资质证书: 'RECOGNITION',
  危险化学品经营许可证: 'APPROVAL',
};
const ABNORMAL_REASONS: readonly (readonly [string, number])[] = [
  ['ANNUAL_REPORT_NOT_SUBMITTED', 60],
  ['UNREACHABLE_AT_ADDRESS', 30],
  ['INFORMATION_NOT_PUBLISHED', 6],
  ['FALSE_INFORMATION', 4],
];
const SERIOUS_REASONS = [
  '被列入经营异常名录届满3年仍未履行相关义务',
  '提交虚假材料或者采取其他欺诈手段隐瞒重要事实，取得公司变更或者注销登记，被撤销登记',
  '组织策划传销',
  '因危害人民群众生命健康的违法行为受到较重行政处罚',
];
/** The list moves' rules (policies/meg/credit/data.json). */
const MOVES = loadListMoveRules();

/** The day a serious-violation entry listed on `listed` left the list at the end of its term, if it has by the universe's day. */
function termEnded(listed: string): string | null {
  const due = moveDue(listed, MOVES.SERIOUS_TERM_ENDED);
  return due <= UNIVERSE_TODAY ? due : null;
}

const COMMITMENTS = ['信用承诺制审批：食品经营许可', '证明事项告知承诺：住所（经营场所）使用证明', '信用修复承诺'];

export const marketSeed: AgencySeed = {
  agency: 'market',
  tables: [
    {
      name: 'market_registrations',
      columns: [
        'uscc',
        'name',
        'entity_type',
        'status',
        'established_on',
        'registered_capital',
        'region_code',
        'industry_code',
        'address',
        'business_scope',
        'legal_rep_name',
        'legal_rep_id_number',
        'legal_rep_phone',
      ],
    },
    { name: 'market_licences', columns: ['licence_no', 'uscc', 'title', 'authority', 'granted_on', 'valid_until', 'decision_no', 'category', 'published_on'] },
    { name: 'market_penalties', columns: ['decision_no', 'uscc', 'decided_on', 'published_on', 'authority', 'basis', 'amount', 'category', 'cause', 'result'] },
    { name: 'market_abnormal_operations', columns: ['uscc', 'reason', 'listed_on', 'authority', 'removed_on'] },
    { name: 'market_serious_violations', columns: ['decision_no', 'uscc', 'reason', 'listed_on', 'authority', 'removed_on'] },
    { name: 'market_annual_reports', columns: ['uscc', 'year', 'filed_on', 'employee_count', 'total_assets'] },
    { name: 'market_credit_commitments', columns: ['uscc', 'matter', 'committed_on', 'fulfilled'] },
  ],

  rowsFor(e, seed, emit) {
    const rng = Random.for(seed, e.index, 'market');
    const authority = `${e.region.city}市${e.region.district}市场监督管理局`;
    const province = provinceOf(e.region.code);
    const status = e.risk > 0.985 ? 'REVOKED' : rng.chance(0.025) ? 'CANCELLED' : rng.chance(0.005) ? 'MOVED_OUT' : 'OPERATING';
    const lr = e.legalRepresentative;
    emit('market_registrations', [
      e.uscc,
      e.name,
      e.entityType,
      status,
      e.establishedOn,
      e.registeredCapital,
      e.region.code,
      e.industry.code,
      e.address,
      e.industry.scope,
      lr.name,
      lr.idNumber,
      lr.phone,
    ]);

    const licences = rng.weighted([
      [0, 50],
      [1, 35],
      [2, 12],
      [3, 3],
    ] as const);
    for (let k = 0; k < licences; k++) {
      const granted = rng.dateBetween(e.establishedOn, UNIVERSE_TODAY);
      const title = rng.pick(LICENCE_TITLES);
      emit('market_licences', [
        `${province}${e.industry.code}${String(e.index).padStart(8, '0')}${k}`,
        e.uscc,
        title,
        authority,
        granted,
        rng.chance(0.8) ? addDays(granted, 5 * 365) : null,
        `${province}市监许〔${granted.slice(0, 4)}〕${e.index}-${k + 1}号`,
        LICENCE_CATEGORIES[title] ?? 'ORDINARY',
        seededPublication(seed, e.index, `market-licence-${k}`, granted),
      ]);
    }

    if (e.risk > 0.85 && rng.chance(0.5)) {
      const count = rng.int(1, 3);
      for (let k = 0; k < count; k++) {
        const decided = rng.dateBetween(maxDate(e.establishedOn, '2015-01-01'), UNIVERSE_TODAY);
        // Drawn as before this publication's fields existed, so that the rest of the universe is unchanged.
        rng.int(1, 9);
        const [cause, basis] = rng.pick(PENALTY_BASES);
        const amount = rng.pick([5_000, 10_000, 20_000, 50_000, 100_000, 300_000]) * rng.int(1, 4);
        emit('market_penalties', [
          `${province}市监处罚〔${decided.slice(0, 4)}〕${e.index}-${k + 1}号`,
          e.uscc,
          decided,
          seededPublication(seed, e.index, `market-penalty-${k}`, decided),
          authority,
          basis,
          amount,
          'FINE',
          cause,
          `罚款人民币${amount}元`,
        ]);
      }
    }

    const abnormal = e.risk > 0.955;
    let abnormalReason: string | null = null;
    let abnormalStandingSince: string | null = null;
    if (abnormal) {
      abnormalReason = rng.weighted(ABNORMAL_REASONS);
      const listed = rng.dateBetween(maxDate(e.establishedOn, '2019-07-01'), UNIVERSE_TODAY);
      const removed = rng.chance(0.25) ? addDays(listed, rng.int(30, 300)) : null;
      emit('market_abnormal_operations', [e.uscc, abnormalReason, listed, authority, removed]);
      if (removed === null) abnormalStandingSince = listed;
    }

    // The lists over time, as the market subgraph's scheduler moves them (data/ListMoves.ts), up to the universe's day.
    let seriousStanding = false;
    let seriousListed: string | null = null;
    if (e.risk > 0.997) {
      const listed = rng.dateBetween(maxDate(e.establishedOn, '2020-01-01'), UNIVERSE_TODAY);
      const removed = termEnded(listed);
      emit('market_serious_violations', [`${province}市监严重违法〔${listed.slice(0, 4)}〕${e.index}号`, e.uscc, rng.pick(SERIOUS_REASONS), listed, `${e.region.city}市市场监督管理局`, removed]);
      seriousStanding = removed === null;
      seriousListed = listed;
    }
    // One move per stay on the abnormal list: none if the enterprise was on the serious list since it began.
    if (abnormalStandingSince !== null && !seriousStanding && (seriousListed === null || seriousListed < abnormalStandingSince)) {
      const due = moveDue(abnormalStandingSince, MOVES.ABNORMAL_TO_SERIOUS);
      if (due <= UNIVERSE_TODAY) {
        emit('market_serious_violations', [`MEG-SCHEDULE/ABNORMAL_TO_SERIOUS/${e.uscc}`, e.uscc, MOVES.ABNORMAL_TO_SERIOUS.reason, due, authority, termEnded(due)]);
      }
    }

    const firstYear = Math.max(Number(e.establishedOn.slice(0, 4)) + 1, 2021);
    for (let year = firstYear; year <= 2025; year++) {
      if (abnormalReason === 'ANNUAL_REPORT_NOT_SUBMITTED' && year === 2025) continue;
      emit('market_annual_reports', [
        e.uscc,
        year,
        rng.dateBetween(`${year + 1}-01-01`, `${year + 1}-06-30`),
        Math.max(0, e.headcount + rng.int(-2, 2)),
        Math.round(e.registeredCapital * (0.3 + rng.next() * 3)),
      ]);
    }

    if (rng.chance(0.2)) {
      emit('market_credit_commitments', [e.uscc, rng.pick(COMMITMENTS), rng.dateBetween(maxDate(e.establishedOn, '2021-01-01'), UNIVERSE_TODAY), e.risk < 0.9]);
    }
  },
};
