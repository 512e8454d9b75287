/** One line of an input file, numbered from 1 for `file:line` messages. */
export interface Line {
  number: number;
  text: string;
}
