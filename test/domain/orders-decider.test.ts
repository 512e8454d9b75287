import { beforeAll, describe, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { given } from '../../src/testing.js';
import { loadExample } from '../helpers/examples.js';

// The orders example's deciders, through eventlite/testing as a user's own tests run them: an
// expected event's data is matched as a subset, so each lists the whole of it.

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
const command = (type: string, data: Record<string, unknown>) => ({ type, data });
const placeOrder = (items: unknown) =>
  command('PlaceOrder', { orderId: 'o1', customerId: 'c1', items });

describe('orders: RegisterCustomer', () => {
  it('registers a customer in customer-<id>', () => {
    given(orders)
      .when(command('RegisterCustomer', { customerId: 'c1', email: 'ada@example.com' }))
      .thenEvents([registered]);
  });

  it('uses a customer id once', () => {
    given(orders, [registered])
      .when(command('RegisterCustomer', { customerId: 'c1', email: 'x@example.com' }))
      .thenRejected('CustomerExists');
  });

  it.each(['ada', 'ada@', '@example.com', 'ada@example', 'a da@example.com'])(
    'refuses the email %j',
    (email) => {
      given(orders)
        .when(command('RegisterCustomer', { customerId: 'c1', email }))
        .thenRejected('InvalidEmail');
    },
  );
});

describe('orders: PlaceOrder', () => {
  it('places an order with its total', () => {
    const items = [item(2, 4.5), item(3, 1.2)];
    given(orders)
      .when(placeOrder(items))
      .thenEvents([
        { type: 'OrderPlaced', data: { orderId: 'o1', customerId: 'c1', items, total: 12.6 } },
      ]);
  });

  it('uses an order id once', () => {
    given(orders, [placed])
      .when(placeOrder([item(1, 1)]))
      .thenRejected('OrderExists');
  });

  it.each([
    ['EmptyOrder', []],
    ['InvalidQuantity', [item(0, 1)]],
    ['InvalidQuantity', [item(1.5, 1)]],
    ['InvalidPrice', [item(1, 0)]],
  ])('refuses with %s', (reason, items) => {
    given(orders).when(placeOrder(items)).thenRejected(reason);
  });

  it('treats items of the wrong shape as malformed data', () => {
    given(orders).when(placeOrder('pen')).thenInvalid();
    given(orders)
      .when(placeOrder([item('two', 1)]))
      .thenInvalid('PlaceOrder: item 1: "quantity" must be a number');
  });
});

describe('orders: ShipOrder and CancelOrder', () => {
  it('ships a placed order', () => {
    given(orders, [placed])
      .when(command('ShipOrder', { orderId: 'o1' }))
      .thenEvents([shipped]);
  });

  it('cancels a placed order', () => {
    given(orders, [placed])
      .when(command('CancelOrder', { orderId: 'o1' }))
      .thenEvents([cancelled]);
  });

  it.each([
    ['ShipOrder', [], 'UnknownOrder'],
    ['ShipOrder', [placed, cancelled], 'OrderCancelled'],
    ['ShipOrder', [placed, shipped], 'AlreadyShipped'],
    ['CancelOrder', [], 'UnknownOrder'],
    ['CancelOrder', [placed, shipped], 'AlreadyShipped'],
    ['CancelOrder', [placed, cancelled], 'AlreadyCancelled'],
  ])('%s after %j is rejected with %s', (type, history, reason) => {
    given(orders, history)
      .when(command(type, { orderId: 'o1' }))
      .thenRejected(reason);
  });

  it('sees only its own order stream', () => {
    const otherOrder = [{ ...placed, stream: 'order-o2' }];
    given(orders, otherOrder)
      .when(command('ShipOrder', { orderId: 'o1' }))
      .thenRejected('UnknownOrder');
  });
});
