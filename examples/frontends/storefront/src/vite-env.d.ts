/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the resume link and QR code send the second device (default: <origin>/mobile/). */
  readonly VITE_MOBILE_URL?: string;
}
