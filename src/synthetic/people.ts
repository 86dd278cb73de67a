// Synthetic people for a mentoring / marketplace style domain. Value distributions are skewed
// as real ones are: a few industries, cities and skills are common and many are rare (Zipf),
// experience is roughly log-normal, and skills are multi-valued (separated by ';').
import { seededRandom, zipfPicker } from './random.ts';

export interface SyntheticNode {
  referenceId: string;
  type: string;
  metadata: Record<string, string>;
}

const INDUSTRIES = ['software', 'finance', 'healthcare', 'education', 'retail', 'manufacturing', 'energy', 'media',
  'logistics', 'government', 'telecom', 'biotech', 'legal', 'hospitality', 'agriculture', 'construction'];
const CITIES = ['london', 'berlin', 'paris', 'madrid', 'bangalore', 'mumbai', 'new york', 'san francisco', 'toronto',
  'sydney', 'singapore', 'tokyo', 'lagos', 'nairobi', 'sao paulo', 'mexico city', 'warsaw', 'dublin', 'austin', 'seoul'];
const LANGUAGES = ['english', 'hindi', 'spanish', 'german', 'french', 'portuguese', 'mandarin', 'japanese', 'polish', 'swahili'];
const SKILLS = ['python', 'java', 'typescript', 'sql', 'leadership', 'sales', 'marketing', 'design', 'finance', 'negotiation',
  'data science', 'machine learning', 'product management', 'public speaking', 'writing', 'devops', 'security', 'cloud',
  'accounting', 'operations', 'hiring', 'strategy', 'ux research', 'mobile', 'go', 'rust', 'excel', 'statistics',
  'project management', 'coaching'];
const SENIORITY = ['junior', 'mid', 'senior', 'lead', 'principal', 'executive'];
const AVAILABILITY = ['weekday mornings', 'weekday evenings', 'weekends', 'flexible'];

export interface PeopleOptions {
  count: number;
  seed?: number;
  /** reference id prefix, so that several groups can share one generator */
  prefix?: string;
  /** node types to assign round-robin-by-weight, e.g. [['MENTOR', 0.3], ['MENTEE', 0.7]] */
  types?: Array<[string, number]>;
}

/** Generates `count` people with 7 metadata keys. Deterministic for a given seed. */
export function* syntheticPeople(opts: PeopleOptions): Generator<SyntheticNode> {
  const rnd = seededRandom(opts.seed ?? 42);
  const industry = zipfPicker(INDUSTRIES.length, 1.1, rnd);
  const city = zipfPicker(CITIES.length, 1.0, rnd);
  const language = zipfPicker(LANGUAGES.length, 1.4, rnd);
  const skill = zipfPicker(SKILLS.length, 0.9, rnd);
  const types = opts.types ?? [['PERSON', 1]];
  const prefix = opts.prefix ?? 'p';
  for (let i = 0; i < opts.count; i++) {
    let t = rnd();
    let type = types[types.length - 1][0];
    for (const [name, w] of types) {
      if (t < w) { type = name; break; }
      t -= w;
    }
    const nSkills = 1 + Math.floor(rnd() * 4);
    const skills = new Set<string>();
    while (skills.size < nSkills) skills.add(SKILLS[skill()]);
    // log-normal-ish years of experience, 0..40
    const years = Math.min(40, Math.round(Math.exp(1.6 + 0.8 * gaussian(rnd))));
    const seniority = SENIORITY[Math.min(SENIORITY.length - 1, Math.floor(years / 7))];
    yield {
      referenceId: `${prefix}-${String(i).padStart(7, '0')}`,
      type,
      metadata: {
        industry: INDUSTRIES[industry()],
        city: CITIES[city()],
        language: LANGUAGES[language()],
        skills: [...skills].join(';'),
        years_experience: String(years),
        seniority,
        availability: AVAILABILITY[Math.floor(rnd() * AVAILABILITY.length)],
      },
    };
  }
}

function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}
