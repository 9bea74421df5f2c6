/**
 * The `convert` command and its `zendesk` subcommand: another help desk's export as a migration bundle.
 */
import * as Command from "@effect/cli/Command"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Convert from "../../Convert.js"
import type { CommandFailure } from "../../Failure.js"
import { convertZendeskOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** `convert zendesk`, running `action` with the request its flags describe. */
const convertZendeskCommand = <R>(
  action: (request: Convert.ConvertRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle }: Handler<R>
) =>
  Command.make("zendesk", convertZendeskOptions, (flags) =>
    handle(action({
      tickets: flags.tickets,
      users: Option.getOrUndefined(flags.users),
      organizations: Option.getOrUndefined(flags.organizations),
      ticketFields: Option.getOrUndefined(flags.ticketFields),
      fieldsMap: Option.getOrUndefined(flags.fieldsMap),
      priorityMap: Option.getOrUndefined(flags.priorityMap),
      includeDeleted: flags.includeDeleted,
      attachmentsDir: Option.getOrUndefined(flags.attachmentsDir),
      out: flags.out,
      problems: Option.getOrUndefined(flags.problems),
      summary: Option.getOrUndefined(flags.summary)
    }))).pipe(
      Command.withDescription(
        "Convert a Zendesk export into a migration bundle: tickets → conversations, requesters → customers, " +
          "public comments → messages, private comments → notes. Prints what was carried and what not " +
          "(exit code 2 when something was not)."
      )
    )

/** `convert`, whose subcommands run `action`. */
export const convertCommand = <R>(
  action: (request: Convert.ConvertRequest) => Effect.Effect<number, CommandFailure, R>,
  handler: Handler<R>
) =>
  Command.make("convert").pipe(
    Command.withDescription("Convert another help desk's export into a migration bundle."),
    Command.withSubcommands([convertZendeskCommand(action, handler)])
  )
