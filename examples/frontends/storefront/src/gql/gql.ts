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
    "\n  query Channels {\n    channels { slug name currency kind }\n    categories { id slug name children { id slug name children { id slug name } } }\n    locations(kind: STORE) { slug address { city } coordinates { latitude longitude } }\n  }\n": typeof types.ChannelsDocument,
    "\n  query Products($channel: String, $first: Int!, $after: String, $filter: ProductFilterInput) {\n    products(channel: $channel, first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id name slug inStock\n          images { url alt }\n          variants { id sku price { amount currency } }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ProductsDocument,
    "\n  query Product($slug: String!, $channel: String) {\n    product(slug: $slug, channel: $channel) {\n      id name slug description inStock\n      images { url alt }\n      category { id name slug }\n      variants {\n        id sku name\n        options { name value }\n        price { amount currency }\n        availability { status quantity }\n      }\n    }\n  }\n": typeof types.ProductDocument,
    "\n  query StoreAvailability($slug: String!, $channel: String, $near: GeoPointInput!) {\n    product(slug: $slug, channel: $channel) {\n      variants {\n        id\n        storeAvailability(near: $near, first: 5) {\n          edges { node { location { slug name } quantity distanceKm pickupReadyAt } }\n        }\n      }\n    }\n  }\n": typeof types.StoreAvailabilityDocument,
    "\n  subscription Availability($variantIds: [ID!]!, $channel: String) {\n    availabilityChanged(variantIds: $variantIds, channel: $channel) {\n      variantId\n      availability { status quantity }\n    }\n  }\n": typeof types.AvailabilityDocument,
    "\n  fragment CartFields on Cart {\n    token version status totalQuantity email\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n    shippingAddress { firstName lastName line1 postalCode city countryCode }\n  }\n": typeof types.CartFieldsFragmentDoc,
    "\n  query Cart($token: String!) { cart(token: $token) { ...CartFields } }\n": typeof types.CartDocument,
    "\n  subscription CartChanged($token: String!) { cartChanged(token: $token) { ...CartFields } }\n": typeof types.CartChangedDocument,
    "\n  mutation CartCreate($channel: String, $lines: [CartLineInput!]!, $key: String) {\n    cartCreate(input: { channel: $channel, lines: $lines }, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CartCreateDocument,
    "\n  mutation CartLinesAdd($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {\n    cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CartLinesAddDocument,
    "\n  mutation CartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CartLinesUpdateDocument,
    "\n  mutation CartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CartLinesRemoveDocument,
    "\n  mutation CartEmailUpdate($token: String!, $email: String!, $version: Int, $key: String) {\n    cartEmailUpdate(token: $token, email: $email, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": typeof types.CartEmailUpdateDocument,
    "\n  mutation CartShippingAddressSet($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {\n    cartShippingAddressSet(token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": typeof types.CartShippingAddressSetDocument,
    "\n  fragment DeliveryGroupFields on CartDeliveryGroup {\n    id\n    lines { id quantity variant { sku name product { name } } }\n    deliveryOptions {\n      handle title method payAtPickup estimatedAt\n      cost { amount currency }\n      location { slug name }\n    }\n    selectedDeliveryOption { handle method }\n  }\n": typeof types.DeliveryGroupFieldsFragmentDoc,
    "\n  query DeliveryGroups($token: String!, $near: GeoPointInput) {\n    cart(token: $token) {\n      ...CartFields\n      deliveryGroups(near: $near) { ...DeliveryGroupFields }\n    }\n  }\n": typeof types.DeliveryGroupsDocument,
    "\n  mutation CartSelectedDeliveryOptionsUpdate(\n    $token: String!, $options: [CartSelectedDeliveryOptionInput!]!, $version: Int, $key: String, $near: GeoPointInput\n  ) {\n    cartSelectedDeliveryOptionsUpdate(\n      token: $token, selectedDeliveryOptions: $options, expectedVersion: $version, idempotencyKey: $key\n    ) {\n      cart { ...CartFields deliveryGroups(near: $near) { ...DeliveryGroupFields } }\n      errors { field code message }\n    }\n  }\n": typeof types.CartSelectedDeliveryOptionsUpdateDocument,
    "\n  fragment OrderFields on Order {\n    id number status paymentStatus createdAt email\n    channel { slug }\n    lines { sku name quantity unitPrice { amount currency } totalPrice { amount currency } }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n    }\n    deliveryGroups { method title estimatedAt location { name } lines { quantity } }\n    pickups { location { name } code readyAt collectedAt }\n  }\n": typeof types.OrderFieldsFragmentDoc,
    "\n  mutation CheckoutComplete($token: String!, $key: String!, $version: Int, $payment: PaymentInput!) {\n    checkoutComplete(token: $token, idempotencyKey: $key, expectedVersion: $version, payment: $payment) {\n      order { ...OrderFields }\n      orderToken\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CheckoutCompleteDocument,
    "\n  query OrderByToken($token: String!) { orderByToken(token: $token) { ...OrderFields } }\n": typeof types.OrderByTokenDocument,
    "\n  subscription OrderChanged($token: String!) { orderChanged(token: $token) { ...OrderFields } }\n": typeof types.OrderChangedDocument,
    "\n  mutation CustomerLogin($email: String!, $password: String!, $cartToken: String) {\n    customerLogin(input: { email: $email, password: $password, cartToken: $cartToken }) {\n      token\n      customer { id name email }\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": typeof types.CustomerLoginDocument,
    "\n  query MyOrders($after: String) {\n    me {\n      id name email\n      orders(first: 20, after: $after) {\n        nodes { ...OrderFields version }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  subscription MyOrdersChanged { myOrdersChanged { ...OrderFields version } }\n": typeof types.MyOrdersChangedDocument,
    "\n  mutation CustomerLogout { customerLogout { errors { field code message } } }\n": typeof types.CustomerLogoutDocument,
    "\n  mutation CartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": typeof types.CartResumeDocument,
};
const documents: Documents = {
    "\n  query Channels {\n    channels { slug name currency kind }\n    categories { id slug name children { id slug name children { id slug name } } }\n    locations(kind: STORE) { slug address { city } coordinates { latitude longitude } }\n  }\n": types.ChannelsDocument,
    "\n  query Products($channel: String, $first: Int!, $after: String, $filter: ProductFilterInput) {\n    products(channel: $channel, first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id name slug inStock\n          images { url alt }\n          variants { id sku price { amount currency } }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ProductsDocument,
    "\n  query Product($slug: String!, $channel: String) {\n    product(slug: $slug, channel: $channel) {\n      id name slug description inStock\n      images { url alt }\n      category { id name slug }\n      variants {\n        id sku name\n        options { name value }\n        price { amount currency }\n        availability { status quantity }\n      }\n    }\n  }\n": types.ProductDocument,
    "\n  query StoreAvailability($slug: String!, $channel: String, $near: GeoPointInput!) {\n    product(slug: $slug, channel: $channel) {\n      variants {\n        id\n        storeAvailability(near: $near, first: 5) {\n          edges { node { location { slug name } quantity distanceKm pickupReadyAt } }\n        }\n      }\n    }\n  }\n": types.StoreAvailabilityDocument,
    "\n  subscription Availability($variantIds: [ID!]!, $channel: String) {\n    availabilityChanged(variantIds: $variantIds, channel: $channel) {\n      variantId\n      availability { status quantity }\n    }\n  }\n": types.AvailabilityDocument,
    "\n  fragment CartFields on Cart {\n    token version status totalQuantity email\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n    shippingAddress { firstName lastName line1 postalCode city countryCode }\n  }\n": types.CartFieldsFragmentDoc,
    "\n  query Cart($token: String!) { cart(token: $token) { ...CartFields } }\n": types.CartDocument,
    "\n  subscription CartChanged($token: String!) { cartChanged(token: $token) { ...CartFields } }\n": types.CartChangedDocument,
    "\n  mutation CartCreate($channel: String, $lines: [CartLineInput!]!, $key: String) {\n    cartCreate(input: { channel: $channel, lines: $lines }, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CartCreateDocument,
    "\n  mutation CartLinesAdd($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {\n    cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CartLinesAddDocument,
    "\n  mutation CartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CartLinesUpdateDocument,
    "\n  mutation CartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CartLinesRemoveDocument,
    "\n  mutation CartEmailUpdate($token: String!, $email: String!, $version: Int, $key: String) {\n    cartEmailUpdate(token: $token, email: $email, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": types.CartEmailUpdateDocument,
    "\n  mutation CartShippingAddressSet($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {\n    cartShippingAddressSet(token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": types.CartShippingAddressSetDocument,
    "\n  fragment DeliveryGroupFields on CartDeliveryGroup {\n    id\n    lines { id quantity variant { sku name product { name } } }\n    deliveryOptions {\n      handle title method payAtPickup estimatedAt\n      cost { amount currency }\n      location { slug name }\n    }\n    selectedDeliveryOption { handle method }\n  }\n": types.DeliveryGroupFieldsFragmentDoc,
    "\n  query DeliveryGroups($token: String!, $near: GeoPointInput) {\n    cart(token: $token) {\n      ...CartFields\n      deliveryGroups(near: $near) { ...DeliveryGroupFields }\n    }\n  }\n": types.DeliveryGroupsDocument,
    "\n  mutation CartSelectedDeliveryOptionsUpdate(\n    $token: String!, $options: [CartSelectedDeliveryOptionInput!]!, $version: Int, $key: String, $near: GeoPointInput\n  ) {\n    cartSelectedDeliveryOptionsUpdate(\n      token: $token, selectedDeliveryOptions: $options, expectedVersion: $version, idempotencyKey: $key\n    ) {\n      cart { ...CartFields deliveryGroups(near: $near) { ...DeliveryGroupFields } }\n      errors { field code message }\n    }\n  }\n": types.CartSelectedDeliveryOptionsUpdateDocument,
    "\n  fragment OrderFields on Order {\n    id number status paymentStatus createdAt email\n    channel { slug }\n    lines { sku name quantity unitPrice { amount currency } totalPrice { amount currency } }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n    }\n    deliveryGroups { method title estimatedAt location { name } lines { quantity } }\n    pickups { location { name } code readyAt collectedAt }\n  }\n": types.OrderFieldsFragmentDoc,
    "\n  mutation CheckoutComplete($token: String!, $key: String!, $version: Int, $payment: PaymentInput!) {\n    checkoutComplete(token: $token, idempotencyKey: $key, expectedVersion: $version, payment: $payment) {\n      order { ...OrderFields }\n      orderToken\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CheckoutCompleteDocument,
    "\n  query OrderByToken($token: String!) { orderByToken(token: $token) { ...OrderFields } }\n": types.OrderByTokenDocument,
    "\n  subscription OrderChanged($token: String!) { orderChanged(token: $token) { ...OrderFields } }\n": types.OrderChangedDocument,
    "\n  mutation CustomerLogin($email: String!, $password: String!, $cartToken: String) {\n    customerLogin(input: { email: $email, password: $password, cartToken: $cartToken }) {\n      token\n      customer { id name email }\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n": types.CustomerLoginDocument,
    "\n  query MyOrders($after: String) {\n    me {\n      id name email\n      orders(first: 20, after: $after) {\n        nodes { ...OrderFields version }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  subscription MyOrdersChanged { myOrdersChanged { ...OrderFields version } }\n": types.MyOrdersChangedDocument,
    "\n  mutation CustomerLogout { customerLogout { errors { field code message } } }\n": types.CustomerLogoutDocument,
    "\n  mutation CartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n": types.CartResumeDocument,
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
export function graphql(source: "\n  query Channels {\n    channels { slug name currency kind }\n    categories { id slug name children { id slug name children { id slug name } } }\n    locations(kind: STORE) { slug address { city } coordinates { latitude longitude } }\n  }\n"): (typeof documents)["\n  query Channels {\n    channels { slug name currency kind }\n    categories { id slug name children { id slug name children { id slug name } } }\n    locations(kind: STORE) { slug address { city } coordinates { latitude longitude } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Products($channel: String, $first: Int!, $after: String, $filter: ProductFilterInput) {\n    products(channel: $channel, first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id name slug inStock\n          images { url alt }\n          variants { id sku price { amount currency } }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Products($channel: String, $first: Int!, $after: String, $filter: ProductFilterInput) {\n    products(channel: $channel, first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id name slug inStock\n          images { url alt }\n          variants { id sku price { amount currency } }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Product($slug: String!, $channel: String) {\n    product(slug: $slug, channel: $channel) {\n      id name slug description inStock\n      images { url alt }\n      category { id name slug }\n      variants {\n        id sku name\n        options { name value }\n        price { amount currency }\n        availability { status quantity }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Product($slug: String!, $channel: String) {\n    product(slug: $slug, channel: $channel) {\n      id name slug description inStock\n      images { url alt }\n      category { id name slug }\n      variants {\n        id sku name\n        options { name value }\n        price { amount currency }\n        availability { status quantity }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StoreAvailability($slug: String!, $channel: String, $near: GeoPointInput!) {\n    product(slug: $slug, channel: $channel) {\n      variants {\n        id\n        storeAvailability(near: $near, first: 5) {\n          edges { node { location { slug name } quantity distanceKm pickupReadyAt } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StoreAvailability($slug: String!, $channel: String, $near: GeoPointInput!) {\n    product(slug: $slug, channel: $channel) {\n      variants {\n        id\n        storeAvailability(near: $near, first: 5) {\n          edges { node { location { slug name } quantity distanceKm pickupReadyAt } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Availability($variantIds: [ID!]!, $channel: String) {\n    availabilityChanged(variantIds: $variantIds, channel: $channel) {\n      variantId\n      availability { status quantity }\n    }\n  }\n"): (typeof documents)["\n  subscription Availability($variantIds: [ID!]!, $channel: String) {\n    availabilityChanged(variantIds: $variantIds, channel: $channel) {\n      variantId\n      availability { status quantity }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CartFields on Cart {\n    token version status totalQuantity email\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n    shippingAddress { firstName lastName line1 postalCode city countryCode }\n  }\n"): (typeof documents)["\n  fragment CartFields on Cart {\n    token version status totalQuantity email\n    channel { slug currency }\n    lines {\n      id quantity\n      variant { id sku name product { name slug } }\n      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }\n    }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n      adjustments { label plugin amount { amount currency } }\n    }\n    problems { code lineId message availableQuantity }\n    shippingAddress { firstName lastName line1 postalCode city countryCode }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cart($token: String!) { cart(token: $token) { ...CartFields } }\n"): (typeof documents)["\n  query Cart($token: String!) { cart(token: $token) { ...CartFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CartChanged($token: String!) { cartChanged(token: $token) { ...CartFields } }\n"): (typeof documents)["\n  subscription CartChanged($token: String!) { cartChanged(token: $token) { ...CartFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartCreate($channel: String, $lines: [CartLineInput!]!, $key: String) {\n    cartCreate(input: { channel: $channel, lines: $lines }, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CartCreate($channel: String, $lines: [CartLineInput!]!, $key: String) {\n    cartCreate(input: { channel: $channel, lines: $lines }, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartLinesAdd($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {\n    cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CartLinesAdd($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {\n    cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {\n    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {\n    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartEmailUpdate($token: String!, $email: String!, $version: Int, $key: String) {\n    cartEmailUpdate(token: $token, email: $email, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CartEmailUpdate($token: String!, $email: String!, $version: Int, $key: String) {\n    cartEmailUpdate(token: $token, email: $email, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartShippingAddressSet($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {\n    cartShippingAddressSet(token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CartShippingAddressSet($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {\n    cartShippingAddressSet(token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DeliveryGroupFields on CartDeliveryGroup {\n    id\n    lines { id quantity variant { sku name product { name } } }\n    deliveryOptions {\n      handle title method payAtPickup estimatedAt\n      cost { amount currency }\n      location { slug name }\n    }\n    selectedDeliveryOption { handle method }\n  }\n"): (typeof documents)["\n  fragment DeliveryGroupFields on CartDeliveryGroup {\n    id\n    lines { id quantity variant { sku name product { name } } }\n    deliveryOptions {\n      handle title method payAtPickup estimatedAt\n      cost { amount currency }\n      location { slug name }\n    }\n    selectedDeliveryOption { handle method }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeliveryGroups($token: String!, $near: GeoPointInput) {\n    cart(token: $token) {\n      ...CartFields\n      deliveryGroups(near: $near) { ...DeliveryGroupFields }\n    }\n  }\n"): (typeof documents)["\n  query DeliveryGroups($token: String!, $near: GeoPointInput) {\n    cart(token: $token) {\n      ...CartFields\n      deliveryGroups(near: $near) { ...DeliveryGroupFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartSelectedDeliveryOptionsUpdate(\n    $token: String!, $options: [CartSelectedDeliveryOptionInput!]!, $version: Int, $key: String, $near: GeoPointInput\n  ) {\n    cartSelectedDeliveryOptionsUpdate(\n      token: $token, selectedDeliveryOptions: $options, expectedVersion: $version, idempotencyKey: $key\n    ) {\n      cart { ...CartFields deliveryGroups(near: $near) { ...DeliveryGroupFields } }\n      errors { field code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CartSelectedDeliveryOptionsUpdate(\n    $token: String!, $options: [CartSelectedDeliveryOptionInput!]!, $version: Int, $key: String, $near: GeoPointInput\n  ) {\n    cartSelectedDeliveryOptionsUpdate(\n      token: $token, selectedDeliveryOptions: $options, expectedVersion: $version, idempotencyKey: $key\n    ) {\n      cart { ...CartFields deliveryGroups(near: $near) { ...DeliveryGroupFields } }\n      errors { field code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderFields on Order {\n    id number status paymentStatus createdAt email\n    channel { slug }\n    lines { sku name quantity unitPrice { amount currency } totalPrice { amount currency } }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n    }\n    deliveryGroups { method title estimatedAt location { name } lines { quantity } }\n    pickups { location { name } code readyAt collectedAt }\n  }\n"): (typeof documents)["\n  fragment OrderFields on Order {\n    id number status paymentStatus createdAt email\n    channel { slug }\n    lines { sku name quantity unitPrice { amount currency } totalPrice { amount currency } }\n    cost {\n      subtotalAmount { amount currency }\n      deliveryAmount { amount currency }\n      totalAmount { amount currency }\n    }\n    deliveryGroups { method title estimatedAt location { name } lines { quantity } }\n    pickups { location { name } code readyAt collectedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckoutComplete($token: String!, $key: String!, $version: Int, $payment: PaymentInput!) {\n    checkoutComplete(token: $token, idempotencyKey: $key, expectedVersion: $version, payment: $payment) {\n      order { ...OrderFields }\n      orderToken\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CheckoutComplete($token: String!, $key: String!, $version: Int, $payment: PaymentInput!) {\n    checkoutComplete(token: $token, idempotencyKey: $key, expectedVersion: $version, payment: $payment) {\n      order { ...OrderFields }\n      orderToken\n      errors { field code message }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderByToken($token: String!) { orderByToken(token: $token) { ...OrderFields } }\n"): (typeof documents)["\n  query OrderByToken($token: String!) { orderByToken(token: $token) { ...OrderFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderChanged($token: String!) { orderChanged(token: $token) { ...OrderFields } }\n"): (typeof documents)["\n  subscription OrderChanged($token: String!) { orderChanged(token: $token) { ...OrderFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CustomerLogin($email: String!, $password: String!, $cartToken: String) {\n    customerLogin(input: { email: $email, password: $password, cartToken: $cartToken }) {\n      token\n      customer { id name email }\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CustomerLogin($email: String!, $password: String!, $cartToken: String) {\n    customerLogin(input: { email: $email, password: $password, cartToken: $cartToken }) {\n      token\n      customer { id name email }\n      cart { ...CartFields }\n      errors { field code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders($after: String) {\n    me {\n      id name email\n      orders(first: 20, after: $after) {\n        nodes { ...OrderFields version }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyOrders($after: String) {\n    me {\n      id name email\n      orders(first: 20, after: $after) {\n        nodes { ...OrderFields version }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MyOrdersChanged { myOrdersChanged { ...OrderFields version } }\n"): (typeof documents)["\n  subscription MyOrdersChanged { myOrdersChanged { ...OrderFields version } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CustomerLogout { customerLogout { errors { field code message } } }\n"): (typeof documents)["\n  mutation CustomerLogout { customerLogout { errors { field code message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation CartResume($token: String!, $channel: String!, $version: Int, $key: String) {\n    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {\n      cart { ...CartFields }\n      errors { field code message }\n      replayed\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;