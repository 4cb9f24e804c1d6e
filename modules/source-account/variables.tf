variable "name" {
  description = "Prefix of the names the module gives: the subscription filters `NAME-central` and the inventory rules `NAME-inventory-KIND`."
  type        = string
  default     = "vpcflow"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,39}$", var.name))
    error_message = "name must be 1 to 39 letters, digits, ., - and _ (the rule names add -inventory-KIND, up to 64)."
  }
}

variable "destination_arn" {
  description = "CloudWatch Logs destination of the central account the flow log groups subscribe to (the `enrichment` module's `log_destination_arn`): `arn:aws:logs:REGION:ACCOUNT:destination:NAME`. Its access policy must list this account or its organization."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:destination:[^:*]+$", var.destination_arn))
    error_message = "destination_arn must be a CloudWatch Logs destination ARN: arn:aws:logs:REGION:ACCOUNT:destination:NAME."
  }
}

variable "log_group_names" {
  description = "Flow log groups of this account to subscribe to the central destination (the `flow-logs` module's `log_group_name`)."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0 && alltrue([for n in var.log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", n))])
    error_message = "log_group_names must list at least one log group name (letters, digits and _ - / . #), not ARNs."
  }
}

variable "trusted_principal_arns" {
  description = "Who in the central account may assume the inventory role: the `enrichment` module's `inventory_role_arn`, or `arn:aws:iam::CENTRAL_ACCOUNT:root` to leave it to the central account's IAM policies."
  type        = list(string)

  validation {
    condition     = length(var.trusted_principal_arns) > 0 && alltrue([for arn in var.trusted_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+)$", arn))])
    error_message = "trusted_principal_arns must list role ARNs or arn:aws:iam::ACCOUNT:root."
  }
}

variable "external_id" {
  description = "Secret the central account passes to `sts:AssumeRole` (`sts:ExternalId`), which the inventory role's trust policy requires: 2 to 1224 letters, digits and `+=,.@:/-`. Give the central inventory sync the same value."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/-]+$", var.external_id))
    error_message = "external_id must be 2 to 1224 letters, digits and +=,.@:/-."
  }
}

variable "role_name" {
  description = "Name of the read-only inventory role the central inventory function assumes. The central account builds its ARN from it (`arn:aws:iam::ACCOUNT:role/PATHNAME`), so keep it the same in every source account."
  type        = string
  default     = "vpcflow-inventory-reader"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 letters, digits and +=,.@_-."
  }
}

variable "role_path" {
  description = "IAM path of the inventory role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path))
    error_message = "role_path must begin and end with / (e.g. /vpcflow/)."
  }
}

variable "permissions_boundary" {
  description = "ARN of a managed policy that bounds the inventory role. The plan fails if it denies any of the read actions."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be a managed policy ARN."
  }
}

variable "central_event_bus_arn" {
  description = "Event bus of the central account to forward this account's inventory events to (`arn:aws:events:REGION:CENTRAL_ACCOUNT:event-bus/default`), where the `enrichment` module's inventory rules pick them up. Its resource policy must accept `events:PutEvents` from this account. Null forwards nothing: the inventory of this account is then kept by the scheduled sync only."
  type        = string
  default     = null

  validation {
    condition     = var.central_event_bus_arn == null || can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$", var.central_event_bus_arn))
    error_message = "central_event_bus_arn must be an event bus ARN: arn:aws:events:REGION:ACCOUNT:event-bus/NAME."
  }
}

variable "event_forwarding_role_arn" {
  description = "Role EventBridge assumes to put the events on `central_event_bus_arn`: it trusts `events.amazonaws.com` and allows `events:PutEvents` on that bus. The plan reads it and fails if it could not. Required with `central_event_bus_arn`."
  type        = string
  default     = null

  validation {
    condition     = var.event_forwarding_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.event_forwarding_role_arn))
    error_message = "event_forwarding_role_arn must be an IAM role ARN."
  }

  validation {
    condition     = (var.central_event_bus_arn != null) == (var.event_forwarding_role_arn != null)
    error_message = "event_forwarding_role_arn is required with central_event_bus_arn, and only then."
  }
}

variable "inventory_rules" {
  description = "Which inventory events to forward: any of `tag-changes`, `api-calls` (needs a CloudTrail trail recording management events in this account, which the plan checks), `instance-state`."
  type        = set(string)
  default     = ["tag-changes", "api-calls", "instance-state"]

  validation {
    condition     = length(var.inventory_rules) > 0 && alltrue([for k in var.inventory_rules : contains(["tag-changes", "api-calls", "instance-state"], k)])
    error_message = "inventory_rules must list one or more of tag-changes, api-calls and instance-state."
  }
}

variable "tags" {
  description = "Tags of every resource the module creates."
  type        = map(string)
  default     = {}
}
