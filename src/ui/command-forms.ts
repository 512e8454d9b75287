import { dataTemplate } from '../core/data-template.js';
import type { CommandDeclarations } from '../core/event-types.js';
import type { JsonObject } from '../core/events.js';
import { inputJsonSchema } from '../core/standard-schema.js';

// What the command box offers for each command: the data to start from and what its schema
// says is required. Schema first, since it says what the command takes today; a scenario
// line may be older, or name only some fields.

export interface CommandForm {
  name: string;
  /** The data the box starts from. */
  example: JsonObject;
  /** Where that data came from: `{}` when neither the schema nor a scenario line gives any. */
  from: 'schema' | 'scenario' | 'none';
  /** The JSON Schema of the command's data, when its schema implements Standard JSON Schema. */
  jsonSchema: Record<string, unknown> | null;
  /** The fields that JSON Schema requires, in its order. */
  required: string[];
}

export function commandForms(
  names: readonly string[],
  declarations: CommandDeclarations | undefined,
  examples: ReadonlyMap<string, JsonObject>,
): CommandForm[] {
  return names.map((name) => {
    const jsonSchema = inputJsonSchema(declarations?.[name]?.schema) ?? null;
    const template = jsonSchema === null ? undefined : dataTemplate(jsonSchema);
    const example = examples.get(name);
    return {
      name,
      example: template?.data ?? example ?? {},
      from: template ? 'schema' : example ? 'scenario' : 'none',
      jsonSchema,
      required: template?.required ?? [],
    };
  });
}
