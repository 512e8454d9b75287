import { describe, expect, it } from 'vitest';
import { dataTemplate } from '../../src/core/data-template.js';

// The data the command box starts from, read off a command's JSON Schema: hand-written
// schemas in the shapes zod, arktype and valibot write (draft 2020-12).

describe('dataTemplate', () => {
  it('fills each property from default, const, the first enum value or example, else its type', () => {
    const template = dataTemplate({
      type: 'object',
      properties: {
        currency: { type: 'string', enum: ['EUR', 'USD'], default: 'USD' },
        kind: { const: 'deposit' },
        channel: { type: 'string', enum: ['web', 'desk'] },
        accountId: { type: 'string', examples: ['acc-1', 'acc-2'] },
        owner: { type: 'string' },
        amount: { type: 'number', exclusiveMinimum: 0 },
        count: { type: 'integer' },
        urgent: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        nothing: { type: 'null' },
        anything: {},
      },
    });
    expect(template).toEqual({
      data: {
        currency: 'USD',
        kind: 'deposit',
        channel: 'web',
        accountId: 'acc-1',
        owner: '',
        amount: 0,
        count: 0,
        urgent: false,
        tags: [],
        nothing: null,
        anything: null,
      },
      required: [],
    });
  });

  it('puts the required properties first, in their order, and names them', () => {
    const template = dataTemplate({
      type: 'object',
      properties: { note: { type: 'string' }, amount: { type: 'number' }, id: { type: 'string' } },
      required: ['id', 'amount', 'not-a-property'],
    });
    expect(Object.keys(template!.data)).toEqual(['id', 'amount', 'note']);
    expect(template!.required).toEqual(['id', 'amount']);
  });

  it('fills nested objects, and objects told by their properties or allOf alone', () => {
    const template = dataTemplate({
      properties: {
        address: {
          type: 'object',
          properties: { street: { type: 'string' }, zip: { type: 'integer', default: 1000 } },
          required: ['street'],
        },
        both: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } } },
            { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'] },
          ],
        },
      },
    });
    expect(template!.data).toEqual({
      address: { street: '', zip: 1000 },
      both: { b: false, a: '' },
    });
    expect(template!.required).toEqual([]);
  });

  it('takes the type that is not null of an optional or nullable field', () => {
    const template = dataTemplate({
      type: 'object',
      properties: {
        note: { anyOf: [{ type: 'null' }, { type: 'string' }] },
        when: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        count: { type: ['null', 'integer'] },
        gone: { anyOf: [{ type: 'null' }] },
      },
    });
    expect(template!.data).toEqual({ note: '', when: '', count: 0, gone: null });
  });

  it('follows $ref within the schema, and a recursive one only once', () => {
    const list = dataTemplate({
      $ref: '#/$defs/Node',
      $defs: {
        Node: {
          type: 'object',
          properties: { value: { type: 'string' }, next: { $ref: '#/$defs/Node' } },
          required: ['value'],
        },
      },
    });
    expect(list).toEqual({ data: { value: '', next: {} }, required: ['value'] });

    // zod writes recursion into the root as `#`: the root is already being filled.
    const tree = dataTemplate({
      type: 'object',
      properties: {
        label: { $ref: '#/definitions/Label' },
        parent: { anyOf: [{ $ref: '#' }, { type: 'null' }] },
        children: { type: 'array', items: { $ref: '#' } },
        escaped: { $ref: '#/definitions/a~1b' },
        elsewhere: { $ref: 'https://example.com/schema.json' },
        anchor: { $ref: '#label' },
        missing: { $ref: '#/definitions/Missing' },
        broken: { $ref: '#/definitions/%E0%A4%A' },
      },
      definitions: { Label: { type: 'string', default: 'root' }, 'a/b': { type: 'integer' } },
    });
    expect(tree!.data).toEqual({
      label: 'root',
      parent: {},
      children: [],
      escaped: 0,
      elsewhere: null,
      anchor: null,
      missing: null,
      broken: null,
    });
  });

  it('stops at a bounded depth, however deep the schema nests', () => {
    let schema: Record<string, unknown> = {
      type: 'object',
      properties: { leaf: { type: 'string' } },
    };
    for (let level = 0; level < 50; level += 1) {
      schema = { type: 'object', properties: { inner: schema } };
    }
    let value = dataTemplate(schema)!.data as Record<string, unknown>;
    let depth = 0;
    while (Object.keys(value).length > 0) {
      value = value.inner as Record<string, unknown>;
      depth += 1;
    }
    expect(depth).toBe(6);
  });

  it('keeps a property called __proto__ as data', () => {
    const properties = JSON.parse('{"__proto__": {"type": "string"}, "a": {"type": "number"}}');
    const template = dataTemplate({ type: 'object', properties });
    expect(Object.keys(template!.data)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(template!.data)).toBe(Object.prototype);
  });

  it('has no template for a schema of something other than an object', () => {
    for (const schema of [
      { type: 'string' },
      { type: 'array', items: { type: 'object' } },
      {},
      { $ref: '#/$defs/Missing' },
      { anyOf: [{ type: 'number' }, { type: 'string' }] },
      { default: [1, 2] },
    ]) {
      expect(dataTemplate(schema)).toBeUndefined();
    }
    // An object schema's own default is a whole template.
    expect(dataTemplate({ type: 'object', default: { a: 1 } })).toEqual({
      data: { a: 1 },
      required: [],
    });
  });

  it('copies the values it takes, so a template edited leaves the schema as it was', () => {
    const schema = {
      type: 'object',
      properties: { tags: { type: 'array', default: ['a'] } },
    };
    const template = dataTemplate(schema)!;
    (template.data.tags as string[]).push('b');
    expect(schema.properties.tags.default).toEqual(['a']);
  });
});
