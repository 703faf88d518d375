/**
 * Customs' slice of the synthetic universe: only enterprises that trade across the border have
 * a customs registration (a minority, more in manufacturing and forwarding). Credit levels follow
 * the universe's traits: advanced certification for the trustworthy, dishonest for the riskiest.
 */
import { provinceOf, type AgencySeed } from '../../platform/db/seeding.js';
import { Random, addDays, maxDate } from '../../platform/domain/synthetic/random.js';
import { UNIVERSE_TODAY } from '../../platform/domain/synthetic/universe.js';
import { seededPublication } from '../../platform/domain/synthetic/publication.js';

const PORTS = [
  ['2201', '上海浦东国际机场'],
  ['2248', '洋山港区'],
  ['5316', '深圳蛇口'],
  ['5141', '广州南沙'],
  ['3105', '宁波北仑'],
  ['0202', '天津新港'],
  ['4258', '青岛大港'],
  ['3701', '厦门海沧'],
];
const HS_CODES = ['85176299', '84713000', '61091000', '94036099', '39269090', '87089990', '85414300', '03061719', '29420000', '73269019'];
const TRADE_MODES = ['一般贸易', '进料对口', '来料加工', '保税电商', '市场采购'];
const VIOLATIONS = ['申报不实，影响国家税款征收', '未按规定办理海关手续', '走私普通货物', '申报不实，影响海关统计准确性'];

export const customsSeed: AgencySeed = {
  agency: 'customs',
  tables: [
    { name: 'customs_registrations', columns: ['uscc', 'customs_code', 'registered_on', 'credit_level', 'credit_level_since'] },
    { name: 'customs_declarations', columns: ['entry_no', 'uscc', 'declared_on', 'direction', 'hs_code', 'value', 'trade_mode', 'port'] },
    { name: 'customs_violations', columns: ['decision_no', 'uscc', 'decided_on', 'nature', 'penalty_amount', 'authority', 'published_on'] },
  ],

  rowsFor(e, seed, emit) {
    if (!e.trades) return;
    const rng = Random.for(seed, e.index, 'customs');
    const registeredOn = addDays(e.establishedOn, rng.int(30, 400));
    if (registeredOn > UNIVERSE_TODAY) return;
    const level = e.risk > 0.98 ? 'DISHONEST' : e.trust > 0.9 && e.risk < 0.5 ? 'ADVANCED_CERTIFIED' : 'GENERAL';
    const levelSince = level === 'GENERAL' ? registeredOn : rng.dateBetween(registeredOn, UNIVERSE_TODAY);
    emit('customs_registrations', [e.uscc, `${e.region.code.slice(0, 4)}9${String(e.index % 100_000).padStart(5, '0')}`, registeredOn, level, levelSince]);

    const declarations = rng.int(1, 25);
    for (let k = 0; k < declarations; k++) {
      const [portCode, port] = rng.pick(PORTS);
      const declared = rng.dateBetween(maxDate(registeredOn, '2024-01-01'), UNIVERSE_TODAY);
      emit('customs_declarations', [
        `${portCode}${declared.slice(0, 4)}${String(e.index).padStart(8, '0')}${String(k).padStart(2, '0')}`,
        e.uscc,
        declared,
        rng.chance(0.55) ? 'EXPORT' : 'IMPORT',
        rng.pick(HS_CODES),
        rng.int(10_000, 5_000_000),
        rng.pick(TRADE_MODES),
        port!,
      ]);
    }

    if (e.risk > 0.96 && rng.chance(0.5)) {
      const decided = rng.dateBetween(maxDate(registeredOn, '2022-01-01'), UNIVERSE_TODAY);
      emit('customs_violations', [
        `${provinceOf(e.region.code)}关缉违字〔${decided.slice(0, 4)}〕${e.index}号`,
        e.uscc,
        decided,
        rng.pick(VIOLATIONS),
        rng.int(5_000, 500_000),
        `${e.region.city}海关`,
        seededPublication(seed, e.index, 'customs-violation', decided),
      ]);
    }
  },
};
