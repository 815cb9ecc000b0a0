# Applied first; mixed/after.tf is then planned against its state.
resource "terraform_data" "kept" {
  input = "same"
}

resource "terraform_data" "updated" {
  input = "old"
}

resource "terraform_data" "secret" {
  input = sensitive("before-secret-value")
}

resource "terraform_data" "replaced" {
  triggers_replace = "v1"
}

resource "terraform_data" "replaced_first" {
  triggers_replace = "v1"
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "deleted" {}

resource "terraform_data" "shrunk" {
  count = 3
}

resource "terraform_data" "renamed" {}

resource "terraform_data" "forgotten" {}

output "same" {
  value = "x"
}

output "changed" {
  value = "a"
}

output "dropped" {
  value = "d"
}
