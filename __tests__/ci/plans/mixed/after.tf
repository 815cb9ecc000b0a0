# Every kind of change: create, update, replace (both orders), delete, move, forget, deferred read, outputs.
resource "terraform_data" "kept" {
  input = "same"
}

resource "terraform_data" "updated" {
  input = "new"
}

resource "terraform_data" "secret" {
  input = sensitive("after-secret-value")
}

resource "terraform_data" "replaced" {
  triggers_replace = "v2"
}

resource "terraform_data" "replaced_first" {
  triggers_replace = "v2"
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "shrunk" {
  count = 1
}

resource "terraform_data" "added" {}

resource "terraform_data" "new_name" {}

moved {
  from = terraform_data.renamed
  to   = terraform_data.new_name
}

removed {
  from = terraform_data.forgotten
  lifecycle {
    destroy = false
  }
}

# Its configuration depends on a resource not created yet, so it is read during apply.
data "terraform_remote_state" "later" {
  backend = "local"
  config = {
    path = terraform_data.added.output
  }
}

output "same" {
  value = "x"
}

output "changed" {
  value = "b"
}

output "added" {
  value = "n"
}
