// A container image reference as the OCI distribution grammar defines it: [registry[:port]/]path[:tag][@digest].
// Path components are lower case; a registry host may have upper case letters, dots and a port.

const hostLabel = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
/** A first component is a registry only with a dot, a port or as localhost (else it is part of the path, as Docker reads it). */
const registry = `(?:(?:${hostLabel}(?:\\.${hostLabel})+|localhost)(?::[0-9]+)?/|${hostLabel}:[0-9]+/)`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const tag = "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
const digest = "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})";

export const imageReferencePattern = new RegExp(`^${registry}?${pathComponent}(?:/${pathComponent})*${tag}?${digest}?$`);
export const imageReferenceRule = "must be an image reference such as registry.example/team/app:1.2 (lower-case path, optional :tag and @digest, no spaces)";
/** Registries refuse longer names; anything longer is a mistake. */
export const longestImageReference = 512;

export const isImageReference = (text: string): boolean => text.length <= longestImageReference && imageReferencePattern.test(text);
