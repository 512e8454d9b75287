/**
 * A table cell that eventlite itself colours (a status, a check's result): the renderer
 * measures and escapes `text` and paints it after, so the colour is never taken for data.
 */
export class StyledCell {
  constructor(
    readonly text: string,
    readonly paint: (text: string) => string,
  ) {}

  toJSON(): string {
    return this.text;
  }
}
