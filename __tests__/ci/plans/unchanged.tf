# Applied, then planned again unchanged: a plan with resources and no changes.
resource "terraform_data" "kept" {
  input = "same"
}

resource "terraform_data" "many" {
  count = 3
  input = count.index
}

output "kept" {
  value = terraform_data.kept.output
}
