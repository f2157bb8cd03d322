// IOChaos: a FUSE layer over one volume of the target containers (needs chaos-daemon on the node).
import { z } from "zod";
import { containerNamesSchema, defined, goDurationSchema } from "../common.ts";

export const ioChaosActions = ["latency", "fault", "attrOverride", "mistake"] as const;
export type IOChaosAction = (typeof ioChaosActions)[number];
export const ioMethods = [
  "lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink", "rename", "link", "open", "read", "write", "flush",
  "release", "fsync", "opendir", "readdir", "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr", "listxattr", "removexattr", "access", "create", "getlk", "setlk", "bmap",
] as const;
export type IOMethod = (typeof ioMethods)[number];
export const ioFileTypes = ["namedPipe", "charDevice", "blockDevice", "directory", "regularFile", "symlink", "socket"] as const;
export const ioMistakeFillings = ["zero", "random"] as const;

const kind = z.literal("IOChaos");
const common = {
  kind,
  volumePath: z.string().startsWith("/").describe("mount path of the volume in the container"),
  path: z.string().min(1).optional().describe("files to affect, wildcards allowed: /data/**"),
  methods: z.array(z.enum(ioMethods)).min(1).optional().describe("I/O methods to affect (default all)"),
  percent: z.number().int().min(0).max(100).optional().describe("percent of calls affected (default 100)"),
  containerNames: containerNamesSchema.optional(),
};
const unsigned = z.number().int().min(0);
const timespec = z.object({ sec: z.number().int(), nsec: z.number().int() }).strict();

/** The IOChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function ioChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [
    z.object({ ...extra, ...common, action: z.literal("latency"), delay: goDurationSchema.describe("added to each affected call: \"100ms\"") }).strict(),
    z.object({ ...extra, ...common, action: z.literal("fault"), errno: z.number().int().min(1).describe("errno returned (e.g. 5 EIO, 28 ENOSPC)") }).strict(),
    z
      .object({
        ...extra,
        ...common,
        action: z.literal("attrOverride"),
        attr: z
          .object({ ino: unsigned, size: unsigned, blocks: unsigned, atime: timespec, mtime: timespec, ctime: timespec, kind: z.enum(ioFileTypes), perm: z.number().int().min(0).max(0o7777), nlink: unsigned, uid: unsigned, gid: unsigned, rdev: unsigned })
          .partial()
          .strict()
          .refine((attr) => Object.keys(attr).length > 0, { message: "override at least one attribute" }),
      })
      .strict(),
    z
      .object({
        ...extra,
        ...common,
        action: z.literal("mistake"),
        mistake: z.object({ filling: z.enum(ioMistakeFillings), maxOccurrences: z.number().int().min(1), maxLength: z.number().int().min(1) }).strict(),
      })
      .strict(),
  ]);
}
export const ioChaosFaultSchema = ioChaosFaultSchemaWith({});
export type IOChaosFault = z.infer<typeof ioChaosFaultSchema>;

export function ioChaosSpec(fault: IOChaosFault): Record<string, unknown> {
  const common = defined({ action: fault.action, volumePath: fault.volumePath, path: fault.path, methods: fault.methods, percent: fault.percent, containerNames: fault.containerNames });
  switch (fault.action) {
    case "latency":
      return { ...common, delay: fault.delay };
    case "fault":
      return { ...common, errno: fault.errno };
    case "attrOverride":
      return { ...common, attr: fault.attr };
    case "mistake":
      return { ...common, mistake: fault.mistake };
  }
}
