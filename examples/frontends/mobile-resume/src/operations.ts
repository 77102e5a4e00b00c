// Every query, mutation and subscription this page sends. Their result and variable types
// are generated into src/gql/ by `npm run codegen` from ../../../schema/schema.graphql.
import { graphql } from "./gql";

export const CartFieldsFragment = graphql(`
  fragment MobileCartFields on Cart {
    token version status totalQuantity
    channel { slug currency }
    lines {
      id quantity
      variant { id sku name product { name slug } }
      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }
    }
    cost {
      subtotalAmount { amount currency }
      totalAmount { amount currency }
      adjustments { label plugin amount { amount currency } }
    }
    problems { code lineId message availableQuantity }
  }
`);

export const CartQuery = graphql(`
  query MobileCart($token: String!) { cart(token: $token) { ...MobileCartFields } }
`);

export const CartSubscription = graphql(`
  subscription MobileCartChanged($token: String!) { cartChanged(token: $token) { ...MobileCartFields } }
`);

export const CartResumeMutation = graphql(`
  mutation MobileCartResume($token: String!, $channel: String!, $version: Int, $key: String) {
    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...MobileCartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartLinesUpdateMutation = graphql(`
  mutation MobileCartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {
    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...MobileCartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartLinesRemoveMutation = graphql(`
  mutation MobileCartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {
    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...MobileCartFields }
      errors { field code message }
      replayed
    }
  }
`);
