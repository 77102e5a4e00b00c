// Every GraphQL document the storefront sends. `npm run codegen` reads this file and
// writes their result and variable types into src/gql/.
import { graphql } from "./gql";

export const ChannelsQuery = graphql(`
  query Channels {
    channels { slug name currency kind }
    categories { id slug name children { id slug name children { id slug name } } }
    locations(kind: STORE) { slug address { city } coordinates { latitude longitude } }
  }
`);

export const ProductsQuery = graphql(`
  query Products($channel: String, $first: Int!, $after: String, $filter: ProductFilterInput) {
    products(channel: $channel, first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        node {
          id name slug inStock
          images { url alt }
          variants { id sku price { amount currency } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ProductQuery = graphql(`
  query Product($slug: String!, $channel: String) {
    product(slug: $slug, channel: $channel) {
      id name slug description inStock
      images { url alt }
      category { id name slug }
      variants {
        id sku name
        options { name value }
        price { amount currency }
        availability { status quantity }
      }
    }
  }
`);

export const StoreAvailabilityQuery = graphql(`
  query StoreAvailability($slug: String!, $channel: String, $near: GeoPointInput!) {
    product(slug: $slug, channel: $channel) {
      variants {
        id
        storeAvailability(near: $near, first: 5) {
          edges { node { location { slug name } quantity distanceKm pickupReadyAt } }
        }
      }
    }
  }
`);

export const AvailabilitySubscription = graphql(`
  subscription Availability($variantIds: [ID!]!, $channel: String) {
    availabilityChanged(variantIds: $variantIds, channel: $channel) {
      variantId
      availability { status quantity }
    }
  }
`);

export const CartFieldsFragment = graphql(`
  fragment CartFields on Cart {
    token version status totalQuantity email
    channel { slug currency }
    lines {
      id quantity
      variant { id sku name product { name slug } }
      cost { amountPerQuantity { amount currency } totalAmount { amount currency } }
    }
    cost {
      subtotalAmount { amount currency }
      deliveryAmount { amount currency }
      totalAmount { amount currency }
      adjustments { label plugin amount { amount currency } }
    }
    problems { code lineId message availableQuantity }
    shippingAddress { firstName lastName line1 postalCode city countryCode }
  }
`);

export const CartQuery = graphql(`
  query Cart($token: String!) { cart(token: $token) { ...CartFields } }
`);

export const CartSubscription = graphql(`
  subscription CartChanged($token: String!) { cartChanged(token: $token) { ...CartFields } }
`);

export const CartCreateMutation = graphql(`
  mutation CartCreate($channel: String, $lines: [CartLineInput!]!, $key: String) {
    cartCreate(input: { channel: $channel, lines: $lines }, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartLinesAddMutation = graphql(`
  mutation CartLinesAdd($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {
    cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartLinesUpdateMutation = graphql(`
  mutation CartLinesUpdate($token: String!, $lines: [CartLineUpdateInput!]!, $version: Int, $key: String) {
    cartLinesUpdate(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartLinesRemoveMutation = graphql(`
  mutation CartLinesRemove($token: String!, $lineIds: [ID!]!, $version: Int, $key: String) {
    cartLinesRemove(token: $token, lineIds: $lineIds, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
      replayed
    }
  }
`);

export const CartEmailUpdateMutation = graphql(`
  mutation CartEmailUpdate($token: String!, $email: String!, $version: Int, $key: String) {
    cartEmailUpdate(token: $token, email: $email, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
    }
  }
`);

export const CartShippingAddressSetMutation = graphql(`
  mutation CartShippingAddressSet($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {
    cartShippingAddressSet(token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
    }
  }
`);

export const DeliveryGroupFieldsFragment = graphql(`
  fragment DeliveryGroupFields on CartDeliveryGroup {
    id
    lines { id quantity variant { sku name product { name } } }
    deliveryOptions {
      handle title method payAtPickup estimatedAt
      cost { amount currency }
      location { slug name }
    }
    selectedDeliveryOption { handle method }
  }
`);

export const DeliveryGroupsQuery = graphql(`
  query DeliveryGroups($token: String!, $near: GeoPointInput) {
    cart(token: $token) {
      ...CartFields
      deliveryGroups(near: $near) { ...DeliveryGroupFields }
    }
  }
`);

export const CartSelectedDeliveryOptionsUpdateMutation = graphql(`
  mutation CartSelectedDeliveryOptionsUpdate(
    $token: String!, $options: [CartSelectedDeliveryOptionInput!]!, $version: Int, $key: String, $near: GeoPointInput
  ) {
    cartSelectedDeliveryOptionsUpdate(
      token: $token, selectedDeliveryOptions: $options, expectedVersion: $version, idempotencyKey: $key
    ) {
      cart { ...CartFields deliveryGroups(near: $near) { ...DeliveryGroupFields } }
      errors { field code message }
    }
  }
`);

export const OrderFieldsFragment = graphql(`
  fragment OrderFields on Order {
    id number status paymentStatus createdAt email
    channel { slug }
    lines { sku name quantity unitPrice { amount currency } totalPrice { amount currency } }
    cost {
      subtotalAmount { amount currency }
      deliveryAmount { amount currency }
      totalAmount { amount currency }
    }
    deliveryGroups { method title estimatedAt location { name } lines { quantity } }
    pickups { location { name } code readyAt collectedAt }
  }
`);

export const CheckoutCompleteMutation = graphql(`
  mutation CheckoutComplete($token: String!, $key: String!, $version: Int, $payment: PaymentInput!) {
    checkoutComplete(token: $token, idempotencyKey: $key, expectedVersion: $version, payment: $payment) {
      order { ...OrderFields }
      orderToken
      errors { field code message }
      replayed
    }
  }
`);

export const OrderByTokenQuery = graphql(`
  query OrderByToken($token: String!) { orderByToken(token: $token) { ...OrderFields } }
`);

export const OrderChangedSubscription = graphql(`
  subscription OrderChanged($token: String!) { orderChanged(token: $token) { ...OrderFields } }
`);

export const CustomerLoginMutation = graphql(`
  mutation CustomerLogin($email: String!, $password: String!, $cartToken: String) {
    customerLogin(input: { email: $email, password: $password, cartToken: $cartToken }) {
      token
      customer { id name email }
      cart { ...CartFields }
      errors { field code message }
    }
  }
`);

export const MyOrdersQuery = graphql(`
  query MyOrders($after: String) {
    me {
      id name email
      orders(first: 20, after: $after) {
        nodes { ...OrderFields version }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

// Every order of the logged-in customer as it changes, new ones included (the session
// token travels in the WebSocket's connectionParams: api.ts). Nothing comes at first.
export const MyOrdersChangedSubscription = graphql(`
  subscription MyOrdersChanged { myOrdersChanged { ...OrderFields version } }
`);

export const CustomerLogoutMutation = graphql(`
  mutation CustomerLogout { customerLogout { errors { field code message } } }
`);

export const CartResumeMutation = graphql(`
  mutation CartResume($token: String!, $channel: String!, $version: Int, $key: String) {
    cartResume(token: $token, channel: $channel, expectedVersion: $version, idempotencyKey: $key) {
      cart { ...CartFields }
      errors { field code message }
      replayed
    }
  }
`);
