// en-fr.js: a small English -> French phrase corpus from a grammar of our own, with the two
// things that make word-for-word translation fail and attention worth watching:
//   - reordering: most adjectives follow the noun in French, and several of them come out in
//     the mirror order ("the european economic area" -> "la zone économique européenne");
//     a few (big, small, young, good, pretty, bad) stay before the noun;
//   - agreement: determiners and adjectives agree with the noun's gender and number, "le"/"la"
//     become "l'" before a vowel, "ce" becomes "cet", "ma" becomes "mon", and "des" becomes "de"
//     before an adjective.
// Sentences: a noun phrase alone; "NP is/are ADJ ."; "I see NP ."; "where is/are NP ?";
// "we like NP .". Word-level tokens on both sides; accents are kept.
// Long sentences (options minWords/maxWords, e.g. 5 to 40): clauses of those kinds joined by
// and / but / because / so / while (et, mais, parce que, donc, pendant que), one sentence per
// length drawn uniformly, for measuring translation quality against sentence length.

import { checkOptions, drawSplits, integerOption, sizeOptions } from './common.js';

// [english singular, english plural, french singular, french plural, gender]
const NOUNS = [
  ['car', 'cars', 'voiture', 'voitures', 'f'], ['house', 'houses', 'maison', 'maisons', 'f'],
  ['tree', 'trees', 'arbre', 'arbres', 'm'], ['book', 'books', 'livre', 'livres', 'm'],
  ['city', 'cities', 'ville', 'villes', 'f'], ['area', 'areas', 'zone', 'zones', 'f'],
  ['dog', 'dogs', 'chien', 'chiens', 'm'], ['cat', 'cats', 'chat', 'chats', 'm'],
  ['apple', 'apples', 'pomme', 'pommes', 'f'], ['man', 'men', 'homme', 'hommes', 'm'],
  ['woman', 'women', 'femme', 'femmes', 'f'], ['child', 'children', 'enfant', 'enfants', 'm'],
  ['table', 'tables', 'table', 'tables', 'f'], ['flower', 'flowers', 'fleur', 'fleurs', 'f'],
  ['bird', 'birds', 'oiseau', 'oiseaux', 'm'], ['river', 'rivers', 'rivière', 'rivières', 'f'],
  ['school', 'schools', 'école', 'écoles', 'f'], ['road', 'roads', 'route', 'routes', 'f'],
  ['window', 'windows', 'fenêtre', 'fenêtres', 'f'], ['garden', 'gardens', 'jardin', 'jardins', 'm'],
  ['friend', 'friends', 'ami', 'amis', 'm'], ['island', 'islands', 'île', 'îles', 'f'],
  ['idea', 'ideas', 'idée', 'idées', 'f'], ['hat', 'hats', 'chapeau', 'chapeaux', 'm'],
  ['horse', 'horses', 'cheval', 'chevaux', 'm'], ['shirt', 'shirts', 'chemise', 'chemises', 'f'],
  ['train', 'trains', 'train', 'trains', 'm'], ['bank', 'banks', 'banque', 'banques', 'f'],
  ['computer', 'computers', 'ordinateur', 'ordinateurs', 'm'], ['song', 'songs', 'chanson', 'chansons', 'f'],
  ['country', 'countries', 'pays', 'pays', 'm'], ['market', 'markets', 'marché', 'marchés', 'm'],
  ['door', 'doors', 'porte', 'portes', 'f'], ['bag', 'bags', 'sac', 'sacs', 'm'],
  ['economy', 'economies', 'économie', 'économies', 'f'], ['airport', 'airports', 'aéroport', 'aéroports', 'm'],
];

// [english, masc. sg, fem. sg, masc. pl, fem. pl]
const ADJECTIVES_AFTER = [
  ['red', 'rouge', 'rouge', 'rouges', 'rouges'], ['green', 'vert', 'verte', 'verts', 'vertes'],
  ['blue', 'bleu', 'bleue', 'bleus', 'bleues'], ['black', 'noir', 'noire', 'noirs', 'noires'],
  ['white', 'blanc', 'blanche', 'blancs', 'blanches'],
  ['european', 'européen', 'européenne', 'européens', 'européennes'],
  ['economic', 'économique', 'économique', 'économiques', 'économiques'],
  ['french', 'français', 'française', 'français', 'françaises'],
  ['italian', 'italien', 'italienne', 'italiens', 'italiennes'],
  ['famous', 'célèbre', 'célèbre', 'célèbres', 'célèbres'], ['expensive', 'cher', 'chère', 'chers', 'chères'],
  ['happy', 'heureux', 'heureuse', 'heureux', 'heureuses'], ['modern', 'moderne', 'moderne', 'modernes', 'modernes'],
  ['quiet', 'calme', 'calme', 'calmes', 'calmes'],
  ['dangerous', 'dangereux', 'dangereuse', 'dangereux', 'dangereuses'],
  ['public', 'public', 'publique', 'publics', 'publiques'],
];
const ADJECTIVES_BEFORE = [
  ['big', 'grand', 'grande', 'grands', 'grandes'], ['small', 'petit', 'petite', 'petits', 'petites'],
  ['young', 'jeune', 'jeune', 'jeunes', 'jeunes'], ['good', 'bon', 'bonne', 'bons', 'bonnes'],
  ['pretty', 'joli', 'jolie', 'jolis', 'jolies'], ['bad', 'mauvais', 'mauvaise', 'mauvais', 'mauvaises'],
];

const startsWithVowel = (word) => /^[aeiouyàâéèêëîïôûh]/u.test(word);

function agree(adjective, gender, plural) {
  return adjective[1 + (gender === 'f' ? 1 : 0) + (plural ? 2 : 0)];
}

// Determiners: english sg/pl, and a function (gender, plural, next french word, adjective before noun) -> french tokens.
const DETERMINERS = [
  {
    en: ['the', 'the'],
    fr: (g, pl, next) => (pl ? ['les'] : startsWithVowel(next) ? ['l', "'"] : [g === 'f' ? 'la' : 'le']),
  },
  {
    en: ['a', 'some'],
    fr: (g, pl, next, adjectiveFirst) => (pl ? [adjectiveFirst ? 'de' : 'des'] : [g === 'f' ? 'une' : 'un']),
  },
  {
    en: ['this', 'these'],
    fr: (g, pl, next) => (pl ? ['ces'] : g === 'f' ? ['cette'] : startsWithVowel(next) ? ['cet'] : ['ce']),
  },
  {
    en: ['my', 'my'],
    fr: (g, pl, next) => (pl ? ['mes'] : g === 'f' && !startsWithVowel(next) ? ['ma'] : ['mon']),
  },
];

/** A random noun phrase: { en: string[], fr: string[], plural, gender }. */
function nounPhrase(rng) {
  const noun = rng.pick(NOUNS);
  const plural = rng.chance(0.4);
  const gender = noun[4];
  const det = rng.pick(DETERMINERS);
  const before = rng.chance(0.3) ? rng.pick(ADJECTIVES_BEFORE) : null;
  const afterCount = rng.pick([0, 0, 1, 1, 2]);
  const after = [];
  while (after.length < afterCount) {
    const a = rng.pick(ADJECTIVES_AFTER);
    if (!after.includes(a)) after.push(a);
  }
  const frNoun = noun[plural ? 3 : 2];
  const frBefore = before ? [agree(before, gender, plural)] : [];
  // English lists the adjectives before the noun; French puts the post-nominal ones after it in
  // the mirror order (the one nearest the noun in English is nearest the noun in French).
  const frAfter = after.slice().reverse().map((a) => agree(a, gender, plural));
  const frFirst = frBefore[0] ?? frNoun;
  return {
    en: [det.en[plural ? 1 : 0], ...(before ? [before[0]] : []), ...after.map((a) => a[0]), noun[plural ? 1 : 0]],
    fr: [...det.fr(gender, plural, frFirst, Boolean(before)), ...frBefore, frNoun, ...frAfter],
    plural,
    gender,
  };
}

const TEMPLATES = [
  (np) => ({ en: np.en, fr: np.fr }),
  (np, rng) => {
    const a = rng.pick(rng.chance(0.7) ? ADJECTIVES_AFTER : ADJECTIVES_BEFORE);
    return {
      en: [...np.en, np.plural ? 'are' : 'is', a[0], '.'],
      fr: [...np.fr, np.plural ? 'sont' : 'est', agree(a, np.gender, np.plural), '.'],
    };
  },
  (np) => ({ en: ['I', 'see', ...np.en, '.'], fr: ['je', 'vois', ...np.fr, '.'] }),
  (np) => ({ en: ['where', np.plural ? 'are' : 'is', ...np.en, '?'], fr: ['où', np.plural ? 'sont' : 'est', ...np.fr, '?'] }),
  (np) => ({ en: ['we', 'like', ...np.en, '.'], fr: ['nous', 'aimons', ...np.fr, '.'] }),
];

// Joins word tokens the way the word tokenizer's detokenize does (no space around the apostrophe
// or before . and ?), so the strings round-trip through tokenize/detokenize.
function join(tokens) {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (i > 0 && t !== '.' && t !== '?' && t !== "'" && tokens[i - 1] !== "'") out += ' ';
    out += t;
  }
  return out;
}

// Clauses for long sentences: the templates' sentences without their final punctuation.
const CLAUSES = [
  (np, rng) => {
    const a = rng.pick(rng.chance(0.7) ? ADJECTIVES_AFTER : ADJECTIVES_BEFORE);
    return { en: [...np.en, np.plural ? 'are' : 'is', a[0]], fr: [...np.fr, np.plural ? 'sont' : 'est', agree(a, np.gender, np.plural)] };
  },
  (np) => ({ en: ['I', 'see', ...np.en], fr: ['je', 'vois', ...np.fr] }),
  (np) => ({ en: ['we', 'like', ...np.en], fr: ['nous', 'aimons', ...np.fr] }),
];
const CONNECTORS = [
  [['and'], ['et']], [['but'], ['mais']], [['because'], ['parce', 'que']], [['so'], ['donc']], [['while'], ['pendant', 'que']],
];
/** Longest long sentence a generator accepts, in English words. */
export const MAX_LONG_WORDS = 200;

/** A sentence of about `target` English words (clauses joined), or null if it came out too long. */
function longSentence(rng, target) {
  const clause = () => rng.pick(CLAUSES)(nounPhrase(rng), rng);
  const first = clause();
  const en = [...first.en], fr = [...first.fr];
  for (;;) {
    const next = clause();
    const [cEn, cFr] = rng.pick(CONNECTORS);
    if (en.length + cEn.length + next.en.length > target) break;
    en.push(...cEn, ...next.en);
    fr.push(...cFr, ...next.fr);
  }
  return { en: [...en, '.'], fr: [...fr, '.'], words: en.length };
}

/**
 * English -> French phrases, word-level. With minWords/maxWords: long sentences of clauses
 * joined by conjunctions, their English length (words, without the final '.') drawn uniformly
 * from minWords..maxWords.
 * @param {{seed?: number, trainSize?: number, testSize?: number, minWords?: number, maxWords?: number}} [options]
 */
export function enFr(options = {}) {
  checkOptions(options, ['seed', 'trainSize', 'testSize', 'minWords', 'maxWords'], 'en-fr');
  const sizes = sizeOptions(options, { trainSize: 10000, testSize: 1000 });
  const long = options.minWords !== undefined || options.maxWords !== undefined;
  if (!long) {
    const { train, test } = drawSplits(sizes, (rng) => {
      const np = nounPhrase(rng);
      const s = rng.pick(TEMPLATES)(np, rng);
      return [join(s.en), join(s.fr)];
    }, 'en-fr');
    return {
      name: 'en-fr',
      description: 'English -> French phrases from a small grammar: adjectives move after the noun (in mirror order), determiners and adjectives agree in gender and number, accents kept.',
      tokenizer: 'word',
      options: sizes,
      train,
      test,
    };
  }
  const minWords = integerOption(options, 'minWords', 5, 3, MAX_LONG_WORDS);
  const maxWords = integerOption(options, 'maxWords', 40, minWords, MAX_LONG_WORDS);
  const { train, test } = drawSplits(sizes, (rng) => {
    for (;;) {
      const s = longSentence(rng, rng.range(minWords, maxWords));
      if (s.words >= minWords && s.words <= maxWords) return [join(s.en), join(s.fr)];
    }
  }, 'en-fr');
  return {
    name: 'en-fr',
    description: `English -> French sentences of ${minWords}-${maxWords} words: clauses of the small grammar joined by and, but, because, so, while.`,
    tokenizer: 'word',
    options: { ...sizes, minWords, maxWords },
    train,
    test,
  };
}
