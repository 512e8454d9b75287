import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { filesIn, FIXTURES, writeScaffold, type Scaffolded } from './examples.js';

// `init --domain NAME`: one's own domain from a template, fixtures/domain-template, which is a
// working domain about gizmos (it type-checks with the rest of the repository, and its specs
// pass). Scaffolding `parking-lot` writes it with every gizmo made a parking lot, in the form
// each place needs: ParkingLot in types and command names, parkingLot in code, data fields
// and stream names, parking_lot in SQL (so columns read the same on SQLite and PostgreSQL),
// parking-lot in file names.

const TEMPLATE = join(FIXTURES, 'domain-template');
const PLACEHOLDER = /Gizmo|gizmo_|gizmo\.spec|gizmo/g;

/** A domain's name: letters and digits in words joined by `-` or `_`, or in camelCase. */
const NAME = /^[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*$/;
const MAX_NAME_LENGTH = 40;

/**
 * Writes a domain module (a decider and a projection, commented), a scenario and a spec for
 * the domain `name` into `target`, with what makes it type-check there; `check`, `test` and
 * `replay` pass on it as written. Refuses and forces as writeScaffold does.
 */
export function scaffoldDomain(
  name: string,
  target: string,
  options: { force: boolean },
): Scaffolded {
  const forms = namesOf(name);
  const files = filesIn(TEMPLATE).map((path) => ({
    path: path.replace(PLACEHOLDER, (word) => forms[word]!),
    content: readFileSync(join(TEMPLATE, path), 'utf8').replace(
      PLACEHOLDER,
      (word) => forms[word]!,
    ),
  }));
  return writeScaffold(target, files, options);
}

/** The template word in each of its forms, and what replaces it. */
function namesOf(name: string): Record<string, string> {
  if (!NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new InputError(
      `init --domain takes a name for a new domain: letters and digits, words joined by - or _ ` +
        `(library, parking-lot), at most ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(name)}`,
    );
  }
  const words = name.split(/[-_]|(?<=[a-z0-9])(?=[A-Z])/).map((word) => word.toLowerCase());
  const capital = (word: string) => `${word[0]!.toUpperCase()}${word.slice(1)}`;
  const pascal = words.map(capital).join('');
  return {
    Gizmo: pascal,
    gizmo: `${words[0]!}${words.slice(1).map(capital).join('')}`,
    gizmo_: `${words.join('_')}_`,
    'gizmo.spec': `${words.join('-')}.spec`,
  };
}
