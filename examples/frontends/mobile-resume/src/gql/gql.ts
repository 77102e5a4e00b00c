/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment MobileCartFields on Cart {\n    token version status totalQuantity\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n  }\n": typeof types.MobileCartFieldsFragmentDoc,
    "\n  query MobileCart($token: String!) { cart(token: $token) { ...MobileCartFields } }\n": typeof types.MobileCartDocument,
    "\n  subscription MobileCartChanged($token: String!) { cartChanged(token: $token) { ...MobileCartFields } }\n": typeof types.MobileCartChangedDocument,
    "\n  mutation MobileCartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.MobileCartResumeDocument,
    "\n  mutation MobileCartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.MobileCartLinesUpdateDocument,
    "\n  mutation MobileCartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.MobileCartLinesRemoveDocument,
};
const documents: Documents = {
    "\n  fragment MobileCartFields on Cart {\n    token version status totalQuantity\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n  }\n": types.MobileCartFieldsFragmentDoc,
    "\n  query MobileCart($token: String!) { cart(token: $token) { ...MobileCartFields } }\n": types.MobileCartDocument,
    "\n  subscription MobileCartChanged($token: String!) { cartChanged(token: $token) { ...MobileCartFields } }\n": types.MobileCartChangedDocument,
    "\n  mutation MobileCartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.MobileCartResumeDocument,
    "\n  mutation MobileCartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.MobileCartLinesUpdateDocument,
    "\n  mutation MobileCartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.MobileCartLinesRemoveDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MobileCartFields on Cart {\n    token version status totalQuantity\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n  }\n"): (typeof documents)["\n  fragment MobileCartFields on Cart {\n    token version status totalQuantity\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MobileCart($token: String!) { cart(token: $token) { ...MobileCartFields } }\n"): (typeof documents)["\n  query MobileCart($token: String!) { cart(token: $token) { ...MobileCartFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MobileCartChanged($token: String!) { cartChanged(token: $token) { ...MobileCartFields } }\n"): (typeof documents)["\n  subscription MobileCartChanged($token: String!) { cartChanged(token: $token) { ...MobileCartFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MobileCartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation MobileCartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MobileCartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation MobileCartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MobileCartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation MobileCartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...MobileCartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;