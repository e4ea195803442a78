/**
 * Synthetic ward messages for the store benchmarks: short clinical sentences built from a
 * small vocabulary with a skewed (Zipf-like) word frequency, so full-text search meets both
 * very common and rare terms as it would on a ward. Deterministic (seeded) so runs compare.
 * No real patient data, no names.
 */
const COMMON = [
  'please', 'bed', 'review', 'obs', 'can', 'you', 'the', 'patient', 'in', 'for', 'is', 'on', 'and', 'to', 'at',
  'now', 'ward', 'thanks', 'check', 'due', 'bloods', 'done', 'stable', 'pain', 'ok',
];
const CLINICAL = [
  'paracetamol', 'morphine', 'insulin', 'heparin', 'antibiotics', 'cannula', 'catheter', 'drain', 'dressing',
  'sats', 'oxygen', 'nebuliser', 'chest', 'xray', 'ct', 'ecg', 'troponin', 'potassium', 'sodium', 'creatinine',
  'lactate', 'glucose', 'ketones', 'fluids', 'urine', 'output', 'fever', 'temperature', 'pressure', 'tachycardic',
  'bradycardic', 'hypotensive', 'hypertensive', 'confused', 'delirium', 'falls', 'mobility', 'physio', 'discharge',
  'transfer', 'theatre', 'post-op', 'pre-op', 'nil', 'mouth', 'fasting', 'allergy', 'penicillin', 'rash', 'wound',
  'swab', 'culture', 'sepsis', 'news2', 'escalate', 'registrar', 'consultant', 'handover', 'night', 'shift',
  'family', 'relatives', 'consent', 'bloods', 'repeat', 'chart', 'prescription', 'dose', 'missed', 'pharmacy',
  'ivabradine', 'amiodarone', 'digoxin', 'warfarin', 'inr', 'platelets', 'haemoglobin', 'transfusion', 'crossmatch',
  'ultrasound', 'mri', 'biopsy', 'endoscopy', 'stoma', 'nasogastric', 'feed', 'dietitian', 'speech', 'swallow',
];
const RARE = ['thrombolysis', 'pericardiocentesis', 'plasmapheresis', 'tracheostomy', 'haemofiltration', 'ecmo', 'bronchoscopy', 'lumbar', 'paracentesis', 'cardioversion'];

/** Mulberry32: small, fast, good enough for synthetic text. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(list: readonly T[], r: number): T {
  return list[Math.floor(r * list.length)]!;
}

export function messageText(random: () => number): string {
  const words = 4 + Math.floor(random() * 28);
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = random();
    if (r < 0.55) out.push(pick(COMMON, random()));
    else if (r < 0.97) out.push(pick(CLINICAL, random() ** 2));
    else if (r < 0.985) out.push(`bed ${1 + Math.floor(random() * 40)}`);
    else out.push(pick(RARE, random()));
  }
  return out.join(' ');
}

export type QueryKind = 'common word' | 'clinical word' | 'rare word' | 'two words' | 'prefix (typing)' | 'no match';

/** What people type into search on a ward, with a mix of costs. */
export function searchQueries(count: number, random: () => number): { kind: QueryKind; text: string }[] {
  const kinds: QueryKind[] = ['common word', 'clinical word', 'rare word', 'two words', 'prefix (typing)', 'no match'];
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    switch (kind) {
      case 'common word':
        return { kind, text: pick(COMMON, random()) };
      case 'clinical word':
        return { kind, text: pick(CLINICAL, random()) };
      case 'rare word':
        return { kind, text: pick(RARE, random()) };
      case 'two words':
        return { kind, text: `${pick(CLINICAL, random())} ${pick(CLINICAL, random())}` };
      case 'prefix (typing)':
        return { kind, text: pick(CLINICAL, random()).slice(0, 3) };
      case 'no match':
        return { kind, text: `zz${Math.floor(random() * 1e6)}` };
    }
  });
}
