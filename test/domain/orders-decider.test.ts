import { beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { DomainRejection, InputError } from '../../src/core/errors.js';
import { given, loadExample } from './given-when-then.js';

let orders: Domain;
beforeAll(async () => {
  orders = await loadExample('orders');
});

const registered = {
  type: 'CustomerRegistered',
  data: { customerId: 'c1', email: 'ada@example.com' },
};
const placed = {
  type: 'OrderPlaced',
  data: { orderId: 'o1', customerId: 'c1', items: [], total: 9 },
};
const shipped = { type: 'OrderShipped', data: { orderId: 'o1' } };
const cancelled = { type: 'OrderCancelled', data: { orderId: 'o1' } };
const item = (quantity: unknown, price: unknown) => ({ productId: 'pen', quantity, price });

describe('orders: RegisterCustomer', () => {
  it('registers a customer in customer-<id>', () => {
    expect(
      given(orders, []).when('RegisterCustomer', { customerId: 'c1', email: 'ada@example.com' }),
    ).toEqual([registered]);
  });

  it('uses a customer id once', () => {
    expect(() =>
      given(orders, [registered]).when('RegisterCustomer', {
        customerId: 'c1',
        email: 'x@example.com',
      }),
    ).toThrow(/CustomerExists/);
  });

  it.each(['ada', 'ada@', '@example.com', 'ada@example', 'a da@example.com'])(
    'refuses the email %j',
    (email) => {
      expect(() => given(orders, []).when('RegisterCustomer', { customerId: 'c1', email })).toThrow(
        /InvalidEmail/,
      );
    },
  );
});

describe('orders: PlaceOrder', () => {
  it('places an order with its total', () => {
    const items = [item(2, 4.5), item(3, 1.2)];
    expect(
      given(orders, []).when('PlaceOrder', { orderId: 'o1', customerId: 'c1', items }),
    ).toEqual([
      { type: 'OrderPlaced', data: { orderId: 'o1', customerId: 'c1', items, total: 12.6 } },
    ]);
  });

  it('uses an order id once', () => {
    expect(() =>
      given(orders, [placed]).when('PlaceOrder', {
        orderId: 'o1',
        customerId: 'c1',
        items: [item(1, 1)],
      }),
    ).toThrow(/OrderExists/);
  });

  it.each([
    ['EmptyOrder', []],
    ['InvalidQuantity', [item(0, 1)]],
    ['InvalidQuantity', [item(1.5, 1)]],
    ['InvalidPrice', [item(1, 0)]],
  ])('refuses with %s', (reason, items) => {
    const place = () =>
      given(orders, []).when('PlaceOrder', { orderId: 'o1', customerId: 'c1', items });
    expect(place).toThrow(DomainRejection);
    expect(place).toThrow(reason);
  });

  it('treats items of the wrong shape as malformed data', () => {
    const place = (items: unknown) => () =>
      given(orders, []).when('PlaceOrder', { orderId: 'o1', customerId: 'c1', items });
    expect(place('pen')).toThrow(InputError);
    expect(place([item('two', 1)])).toThrow('PlaceOrder: item 1: "quantity" must be a number');
  });
});

describe('orders: ShipOrder and CancelOrder', () => {
  it('ships a placed order', () => {
    expect(given(orders, [placed]).when('ShipOrder', { orderId: 'o1' })).toEqual([shipped]);
  });

  it('cancels a placed order', () => {
    expect(given(orders, [placed]).when('CancelOrder', { orderId: 'o1' })).toEqual([cancelled]);
  });

  it.each([
    ['ShipOrder', [], 'UnknownOrder'],
    ['ShipOrder', [placed, cancelled], 'OrderCancelled'],
    ['ShipOrder', [placed, shipped], 'AlreadyShipped'],
    ['CancelOrder', [], 'UnknownOrder'],
    ['CancelOrder', [placed, shipped], 'AlreadyShipped'],
    ['CancelOrder', [placed, cancelled], 'AlreadyCancelled'],
  ])('%s after %j is rejected with %s', (command, history, reason) => {
    expect(() => given(orders, history).when(command, { orderId: 'o1' })).toThrow(reason);
  });

  it('sees only its own order stream', () => {
    const otherOrder = [{ ...placed, stream: 'order-o2' }];
    expect(() => given(orders, otherOrder).when('ShipOrder', { orderId: 'o1' })).toThrow(
      /UnknownOrder/,
    );
  });
});
