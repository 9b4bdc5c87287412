# A Terraform module: a repository left with mutable tags, and a policy written with
# jsonencode() that lets everyone pull.
data "aws_caller_identity" "current" {}

resource "aws_ecr_repository" "web" {
  name = "web"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_repository_policy" "web" {
  repository = aws_ecr_repository.web.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicPull"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
